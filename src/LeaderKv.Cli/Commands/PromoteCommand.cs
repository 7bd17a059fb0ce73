using System.CommandLine;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv promote NODE --accept-data-loss</c>: manual failover. It forces NODE to lead whatever it
/// holds, so it refuses to run without the flag and says loudly what it risks either way.
/// </summary>
internal static class PromoteCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var node = new Argument<Uri>("NODE")
        {
            Description = "Base URL of the node to make leader.",
            CustomParser = result => CommonOptions.ParseUrl(result.Tokens[0].Value, result),
        };
        var accept = new Option<bool>("--accept-data-loss")
        {
            Description = "Required: writes committed only on nodes NODE has not heard from are lost.",
        };
        var command = new Command("promote", "Force a node to become leader (manual failover); needs --accept-data-loss.") { node, accept };
        command.SetAction(async (parse, token) =>
        {
            var target = parse.GetRequiredValue(node);
            var error = parse.InvocationConfiguration.Error;
            var risk = Risk(Cli.Client.NodeAddress.Format(target));
            if (!parse.GetValue(accept))
            {
                await error.WriteLineAsync("error: promote refused: pass --accept-data-loss to force it.");
                await error.WriteLineAsync(risk);
                return ExitCodes.Error;
            }

            await error.WriteLineAsync("WARNING: forcing a leader. " + risk);
            using var client = clients([target]);
            try
            {
                var result = await client.PromoteAsync(target, acceptDataLoss: true, token);
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    $"{Cli.Client.NodeAddress.Format(result.Node)} accepted: it leads from term {result.Term}.");
                return ExitCodes.Success;
            }
            catch (LeaderKvRejectedException ex) when (ex is not LeaderKvUnavailableException)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static string Risk(string node) =>
        $"Promoting {node} makes it leader with only the entries it holds: any write committed on other nodes " +
        "but not on it is LOST, even though its client was told 'committed', and a node that has not heard of " +
        "the new term may go on answering as leader until it does. Use it only when the cluster cannot elect a " +
        "leader by itself (WRITE_QUORUM=0, or too few nodes left).";
}
