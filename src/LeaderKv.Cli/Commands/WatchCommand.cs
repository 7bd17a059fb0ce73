using System.CommandLine;
using LeaderKv.Client;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv watch PREFIX [--since N]</c>: one line per committed change (<c>index put|delete key value</c>)
/// until Ctrl+C. It follows leader changes and node failures by reconnecting to another node with the
/// last index it printed, so no change is printed twice or skipped.
/// </summary>
internal static class WatchCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "Watch keys starting with this (\"\" for every key).", DefaultValueFactory = _ => string.Empty };
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var since = new Option<long?>("--since")
        {
            Description = "Start after this index (a listing's or a write's index); without it, with the next change.",
            HelpName = "N",
        };
        var command = new Command("watch", "Print committed changes to keys with a prefix as they happen, one line each.") { prefix, leader, nodes, since };
        command.SetAction(async (parse, token) =>
        {
            using var client = clients(CommonOptions.Given(parse, leader, nodes));
            var output = parse.InvocationConfiguration.Output;
            try
            {
                await foreach (var change in client.WatchAsync(parse.GetValue(prefix) ?? string.Empty, parse.GetValue(since), token))
                {
                    var kind = change.Kind == WatchEventKind.Put ? "put" : "delete";
                    var value = change.Value is { } json ? " " + ListCommand.Compact(json) : string.Empty;
                    await output.WriteLineAsync($"{change.Index} {kind} {change.Key}{value}");
                    await output.FlushAsync(token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Ctrl+C: a normal end.
            }
            catch (LeaderKvRejectedException ex) when (ex is not LeaderKvUnavailableException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: watch answered {(int?)ex.StatusCode}: {ex.Message}");
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
