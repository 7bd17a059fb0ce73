using System.Globalization;
using System.Net;
using System.Text;
using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// report.html: one self-contained page (inline CSS and SVG, no scripts from elsewhere). The
/// checks at the top; below, a time axis with one lane per client (each operation a bar from its
/// invocation to its completion, coloured by outcome; unknown ones run to the end), a lane of
/// faults and a lane of who led. An unknown operation's bar ends when the client stopped waiting. Operations the checker could not linearize are outlined in red.
/// </summary>
internal static class HtmlReport
{
    private const int Width = 1400;
    private const int Left = 90;
    private const int Lane = 22;

    public static string Render(VerifySettings settings, RunHistory history, VerifyVerdict verdict, IReadOnlyList<(long AtUs, string? Leader)> leaders)
    {
        var ops = history.Operations;
        var faults = history.Faults;
        var end = Math.Max(1, Math.Max(ops.Select(o => o.Op.CompletedAt ?? o.Op.InvokedAt).DefaultIfEmpty(0).Max(), leaders.Select(l => l.AtUs).DefaultIfEmpty(0).Max()));
        double X(long us) => Left + (Width - Left - 10) * (double)us / end;
        var bad = verdict.Unplaceable;
        var clients = ops.Select(o => o.Op.Client).Distinct().Order().ToList();
        var height = (clients.Count + 3) * Lane + 40;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns='http://www.w3.org/2000/svg' width='{Width}' height='{height}' font-family='sans-serif' font-size='11'>"));
        for (var s = 0; s <= end / 1_000_000; s += Math.Max(1, (int)(end / 1_000_000 / 20)))
        {
            var x = X(s * 1_000_000L);
            svg.Append(Inv($"<line x1='{x:0.#}' y1='0' x2='{x:0.#}' y2='{height - 20}' stroke='#eee'/><text x='{x:0.#}' y='{height - 6}' text-anchor='middle'>{s}s</text>"));
        }

        var lane = 0;
        foreach (var client in clients)
        {
            var y = lane++ * Lane + 4;
            svg.Append(Inv($"<text x='4' y='{y + 13}'>client {client}</text>"));
            foreach (var r in ops.Where(o => o.Op.Client == client))
            {
                var op = r.Op;
                var x1 = X(op.InvokedAt);
                var x2 = Math.Max(x1 + 1.5, X(op.CompletedAt ?? r.AnsweredAt));
                var fill = op.Outcome switch { Outcome.Ok => op.Kind == OperationKind.Read ? "#4c9be8" : "#3fae5a", Outcome.Failed => "#c8c8c8", _ => "#f0a030" };
                var stroke = bad.Contains(op.Id) ? " stroke='#e00' stroke-width='2.5'" : string.Empty;
                svg.Append(Inv($"<rect x='{x1:0.##}' y='{y}' width='{x2 - x1:0.##}' height='{Lane - 6}' fill='{fill}'{stroke}><title>{Escape(op.ToString())} on {Escape(r.Node)}{(r.Index is { } i ? $" index {i}" : "")}{(r.Detail is { } d ? $" ({Escape(d)})" : "")}</title></rect>"));
            }
        }

        var faultY = lane++ * Lane + 4;
        svg.Append(Inv($"<text x='4' y='{faultY + 13}'>faults</text>"));
        foreach (var f in faults)
        {
            var x1 = X(f.StartUs);
            var x2 = Math.Max(x1 + 2, X(f.EndUs ?? end));
            var fill = f.Kind switch { "kill" => "#d9534f", "pause" => "#9b59b6", _ => "#e67e22" };
            svg.Append(Inv($"<rect x='{x1:0.##}' y='{faultY}' width='{x2 - x1:0.##}' height='{Lane - 6}' fill='{fill}' opacity='0.8'><title>{Escape(f.Description)}</title></rect>"));
            svg.Append(Inv($"<text x='{x1 + 2:0.##}' y='{faultY + 12}' fill='white'>{Escape(f.Kind)} {Escape(string.Join(",", f.Nodes))}</text>"));
        }

        var leaderY = lane * Lane + 4;
        svg.Append(Inv($"<text x='4' y='{leaderY + 13}'>leader</text>"));
        for (var i = 0; i + 1 < leaders.Count; i++)
        {
            var (at, leader) = leaders[i];
            var x1 = X(at);
            var x2 = X(leaders[i + 1].AtUs);
            svg.Append(Inv($"<rect x='{x1:0.##}' y='{leaderY}' width='{Math.Max(0.5, x2 - x1):0.##}' height='{Lane - 6}' fill='{(leader is null ? "#333" : Colour(leader))}'><title>{Escape(leader ?? "no leader")}</title></rect>"));
        }

        svg.Append("</svg>");

        var counts = history.Counts;
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>leaderkv verify</title><style>")
            .Append("body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
            .Append(".pass{color:#1a7f37;font-weight:bold}.fail{color:#c00;font-weight:bold}.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff}")
            .Append("svg{border:1px solid #ddd}pre{background:#f6f6f6;padding:8px}</style></head><body>");
        page.Append(Inv($"<h1>leaderkv verify: <span class='{(verdict.Passed ? "pass'>passed" : "fail'>failed")}</span></h1>"));
        page.Append(Inv($"<p>seed {settings.Seed}, {settings.Nodes} nodes, WRITE_QUORUM={settings.Quorum}, nemesis {Escape(settings.Nemesis.ToString().ToLowerInvariant())}, {settings.Clients} clients on {settings.Keys} keys, {verdict.RunTime.TotalSeconds:0.#} s; reads {(settings.Reads == ReadMode.Fenced ? "fenced (minIndex)" : "linearizable")}; compare-and-set {(settings.CompareAndSet ? "on" : "off")}. ")); 
        page.Append(Inv($"{ops.Count} operations: {counts.Ok} ok, {counts.Failed} failed, {counts.Unknown} unknown; {faults.Count} faults.</p>"));
        page.Append("<table><tr><th>check</th><th>result</th><th>detail</th></tr>");
        Row(page, "linearizable per key", verdict.LinearizabilityPassed, string.Join("; ", verdict.Linearizability.Keys.Select(k => Inv($"{k.Key}: {k.Verdict} ({k.Operations} ops, {k.Steps} steps)"))));
        Row(page, "no committed write lost", verdict.LostWrites.Count == 0, Inv($"{verdict.CommittedWrites} committed writes; {verdict.LostWrites.Count} not visible on some node after the heal"));
        Row(page, "convergence after heal", verdict.Converged, Inv($"{verdict.ConvergenceTime.TotalSeconds:0.#} s"));
        Row(page, "a leader most of the time", verdict.AvailabilityPassed, Inv($"no leader for {verdict.UnavailableTime.TotalSeconds:0.#} s of {verdict.RunTime.TotalSeconds:0.#} s"));
        page.Append("</table>");
        foreach (var key in verdict.Linearizability.Failing)
        {
            var byId = ops.ToDictionary(o => o.Op.Id);
            page.Append(Inv($"<h2>key {Escape(key.Key)} is not linearizable</h2><p>Longest linearizable prefix: {key.LongestPrefix.Count} operations, leaving the value {Escape(key.ValueAfterPrefix ?? "(absent)")}. Its last ones:</p><pre>"));
            foreach (var id in key.LongestPrefix.TakeLast(8))
            {
                page.Append(Escape(byId[id].Op.ToString())).Append('\n');
            }

            page.Append("</pre><p>Cannot be placed after it (outlined in red below):</p><pre>");
            foreach (var id in key.Unplaceable.Take(12))
            {
                page.Append(Escape(byId[id].Op.ToString())).Append(" on ").Append(Escape(byId[id].Node)).Append('\n');
            }

            page.Append("</pre>");
        }

        foreach (var lost in verdict.LostWrites.Take(10))
        {
            page.Append(Inv($"<p class='fail'>lost: #{lost.OperationId} {Escape(lost.Key)} = {Escape(lost.Value)} (index {lost.Index}) on {Escape(lost.Node)}: {Escape(lost.Why)}</p>"));
        }

        page.Append("<h2>Timeline</h2><p class='legend'><span style='background:#3fae5a'>write ok</span><span style='background:#4c9be8'>read ok</span><span style='background:#c8c8c8;color:#333'>failed</span><span style='background:#f0a030'>unknown</span><span style='background:#fff;color:#c00;border:2px solid #e00'>cannot be linearized</span><span style='background:#d9534f'>kill</span><span style='background:#9b59b6'>pause</span><span style='background:#e67e22'>partition</span><span style='background:#333'>no leader</span></p>");
        page.Append(svg).Append("</body></html>");
        return page.ToString();
    }

    private static void Row(StringBuilder page, string check, bool passed, string detail) =>
        page.Append(Inv($"<tr><td>{check}</td><td class='{(passed ? "pass'>pass" : "fail'>fail")}</td><td>{Escape(detail)}</td></tr>"));

    private static string Colour(string leader) => "#" + (0x406080 + (leader.Aggregate(17, (h, c) => (h * 31) + c) & 0x3f3f3f)).ToString("x6", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
