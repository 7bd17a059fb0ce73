using System.CommandLine;
using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Commands;

/// <summary><c>leaderkv put KEY VALUE</c>: one seed-compatible <c>POST /write</c> to the leader.</summary>
internal static class PutCommand
{
    public static Command Create(Func<NodeClient> clients)
    {
        var key = new Argument<string>("KEY") { Description = "The key to write." };
        var value = new Argument<string>("VALUE")
        {
            Description = "The value: parsed as JSON when valid (42, true, {\"a\":1}), else stored as a string.",
        };
        var leader = CommonOptions.Leader();
        var command = new Command("put", "Write a key through the leader and wait for its write quorum.") { key, value, leader };
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var reply = await clients().WriteAsync(
                parse.GetRequiredValue(leader), parse.GetRequiredValue(key), ValueArgument.Parse(parse.GetRequiredValue(value)), token);
            if (reply.IsSuccess)
            {
                await output.WriteLineAsync(reply.Body?.ToJsonString() ?? "");
                return ExitCodes.Success;
            }

            await parse.InvocationConfiguration.Error.WriteLineAsync(
                $"error: write answered {(int)reply.Status}: {reply.Detail}");
            return ExitCodes.Failure;
        });
        return command;
    }
}
