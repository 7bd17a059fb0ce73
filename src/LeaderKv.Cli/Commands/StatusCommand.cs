using System.CommandLine;
using System.Globalization;
using LeaderKv.Cli.Client;
using LeaderKv.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeaderKv.Cli.Commands;

/// <summary>
/// <c>leaderkv status</c>: every node the given ones lead to (a follower names its leader, the leader
/// names its followers), one row each: role, term, commit / applied / last index, and the lag the
/// leader sees. A node that does not answer is a row marked down, not an error.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(Func<IReadOnlyList<Uri>, LeaderKvClient> clients)
    {
        var leader = CommonOptions.Leader();
        var nodes = CommonOptions.Nodes();
        var command = new Command("status", "Show every node's role, term, indexes and lag; exit 1 when no node leads.") { leader, nodes };
        command.SetAction(async (parse, token) =>
        {
            using var client = clients(CommonOptions.Given(parse, leader, nodes));
            var reports = await client.ClusterStatusAsync(token);
            var output = parse.InvocationConfiguration.Output;
            if (reports.All(r => !r.IsUp))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"error: no node answered ({string.Join("; ", reports.Select(r => $"{NodeAddress.Format(r.Node)}: {r.Error}"))}).");
                return ExitCodes.Error;
            }

            Render(output, reports);
            var leaders = reports.Where(r => r.Status?.IsLeader == true).ToList();
            if (leaders.Count == 0)
            {
                await output.WriteLineAsync("No node reports itself leader (an election may be under way).");
                return ExitCodes.Failure;
            }

            foreach (var report in leaders.OrderByDescending(r => r.Status!.Term))
            {
                var status = report.Status!;
                await output.WriteLineAsync(
                    $"Leader: {status.NodeId ?? "?"} ({NodeAddress.Format(report.Node)}), term {status.Term}" +
                    (status.Failover is { } failover ? $", failover {failover}" : "") + ".");
            }

            if (leaders.Count > 1)
            {
                await output.WriteLineAsync("More than one node says it leads: the one with the highest term is the leader; the others have not heard yet.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    internal static void Render(TextWriter output, IReadOnlyList<NodeStatusReport> reports)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // Wide enough that a row of a six-node cluster never wraps, whatever the terminal says.
        console.Profile.Width = 200;

        var lags = reports
            .Where(r => r.Status?.IsLeader == true)
            .SelectMany(r => r.Status!.Followers ?? [])
            .ToList();
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "node", "url", "role", "term", "commit", "applied", "last", "lag", "state" })
        {
            table.AddColumn(new TableColumn(column));
        }

        foreach (var report in reports)
        {
            var url = NodeAddress.Format(report.Node);
            if (report.Status is not { } status)
            {
                table.AddRow(Cells("?", url, "down", "", "", "", "", "", report.Error ?? "unreachable"));
                continue;
            }

            var seen = lags.FirstOrDefault(f => (f.Url is { } u && NodeAddress.TryParse(u, out var parsed) && parsed == report.Node)
                || (f.Id is not null && f.Id == status.NodeId));
            table.AddRow(Cells(
                status.NodeId ?? "?",
                url,
                status.Role.ToString().ToLowerInvariant() + (status.Tainted == true ? " (tainted)" : ""),
                Number(status.Term),
                status.CommitIndex is { } commit ? Number(commit) : "-",
                Number(status.AppliedThrough),
                Number(status.LastIndex),
                status.IsLeader ? "-" : seen?.Lag is { } lag ? (seen.LastHeardMsAgo is { } heard ? $"{Number(lag)} ({heard:0} ms ago)" : Number(lag)) : "",
                status.IsLeader ? "leading" : seen?.State ?? ""));
        }

        console.Write(table);
    }

    private static IRenderable[] Cells(params string[] texts) => [.. texts.Select(t => new Text(t))];

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
