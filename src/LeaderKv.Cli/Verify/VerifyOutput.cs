using System.Text.Json;
using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>Writes history.json (every operation and fault) and verdict.json (every check) into the run's folder.</summary>
internal static class VerifyOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static async Task WriteAsync(string directory, VerifySettings settings, RunHistory history, VerifyVerdict verdict, IReadOnlyList<(long AtUs, string? Leader)> leaders)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "history.json"), Json(w => WriteHistory(w, settings, history, leaders)));
        await File.WriteAllBytesAsync(Path.Combine(directory, "verdict.json"), Json(w => WriteVerdict(w, settings, verdict)));
        await File.WriteAllTextAsync(Path.Combine(directory, "report.html"), HtmlReport.Render(settings, history, verdict, leaders));
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Indented))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    private static void WriteHistory(Utf8JsonWriter w, VerifySettings settings, RunHistory history, IReadOnlyList<(long AtUs, string? Leader)> leaders)
    {
        w.WriteStartObject();
        w.WriteNumber("seed", settings.Seed);
        w.WriteString("timeUnit", "microseconds since the run started");
        w.WriteStartArray("operations");
        foreach (var r in history.Operations)
        {
            var op = r.Op;
            w.WriteStartObject();
            w.WriteNumber("id", op.Id);
            w.WriteNumber("client", op.Client);
            w.WriteString("key", op.Key);
            w.WriteString("kind", op.Kind switch { OperationKind.Read => "read", OperationKind.Write => "write", _ => "cas" });
            WriteJsonText(w, "value", op.Value);
            if (op.Kind == OperationKind.CompareAndSet)
            {
                WriteJsonText(w, "expected", op.Expected);
                w.WriteBoolean("swapped", op.Swapped);
            }

            w.WriteString("outcome", op.Outcome.ToString().ToLowerInvariant());
            w.WriteNumber("invokedAt", op.InvokedAt);
            if (op.CompletedAt is { } completed)
            {
                w.WriteNumber("completedAt", completed);
            }
            else
            {
                w.WriteNull("completedAt");
            }

            w.WriteString("node", r.Node);
            if (r.Index is { } index)
            {
                w.WriteNumber("index", index);
            }

            if (r.Fence is { } fence)
            {
                w.WriteNumber("minIndex", fence);
            }

            if (r.Detail is { } detail)
            {
                w.WriteString("detail", detail);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("faults");
        foreach (var f in history.Faults)
        {
            w.WriteStartObject();
            w.WriteString("kind", f.Kind);
            w.WriteStartArray("nodes");
            f.Nodes.ToList().ForEach(w.WriteStringValue);
            w.WriteEndArray();
            w.WriteNumber("start", f.StartUs);
            if (f.EndUs is { } end)
            {
                w.WriteNumber("end", end);
            }

            w.WriteString("description", f.Description);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("leaders");
        foreach (var (at, leader) in leaders)
        {
            w.WriteStartObject();
            w.WriteNumber("at", at);
            w.WriteString("leader", leader);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Values are JSON text already; they go in as JSON (null: the key was absent).</summary>
    private static void WriteJsonText(Utf8JsonWriter w, string name, string? json)
    {
        w.WritePropertyName(name);
        if (json is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(json);
        }
    }

    private static void WriteVerdict(Utf8JsonWriter w, VerifySettings settings, VerifyVerdict v)
    {
        w.WriteStartObject();
        w.WriteBoolean("passed", v.Passed);
        w.WriteNumber("seed", settings.Seed);
        w.WriteNumber("nodes", settings.Nodes);
        w.WriteNumber("quorum", settings.Quorum);
        w.WriteString("nemesis", settings.Nemesis.ToString().ToLowerInvariant());
        w.WriteString("reads", settings.Reads == ReadMode.Fenced ? "fenced (GET /kv/{key}?minIndex=highest index seen)" : "linearizable");
        w.WriteBoolean("compareAndSet", settings.CompareAndSet);
        w.WriteNumber("committedWrites", v.CommittedWrites);

        w.WriteStartObject("linearizability");
        w.WriteBoolean("passed", v.LinearizabilityPassed);
        w.WriteString("verdict", v.Linearizability.Verdict switch { Verdict.Linearizable => "linearizable", Verdict.NotLinearizable => "not linearizable", _ => "unknown (budget exhausted)" });
        w.WriteStartArray("keys");
        foreach (var key in v.Linearizability.Keys)
        {
            w.WriteStartObject();
            w.WriteString("key", key.Key);
            w.WriteString("verdict", key.Verdict.ToString());
            w.WriteNumber("operations", key.Operations);
            w.WriteNumber("steps", key.Steps);
            if (key.Verdict == Verdict.NotLinearizable)
            {
                w.WriteStartArray("longestLinearizablePrefix");
                key.LongestPrefix.ToList().ForEach(w.WriteNumberValue);
                w.WriteEndArray();
                w.WriteStartArray("cannotBePlaced");
                key.Unplaceable.ToList().ForEach(w.WriteNumberValue);
                w.WriteEndArray();
                WriteJsonText(w, "valueAfterPrefix", key.ValueAfterPrefix);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("noCommittedWriteLost");
        w.WriteBoolean("passed", v.LostWrites.Count == 0);
        w.WriteString("rule", "every write answered committed (index i) is visible on every node after the heal: the node's value for the key was set at index i by that write, or at a higher index");
        w.WriteStartArray("lost");
        foreach (var lost in v.LostWrites.Take(100))
        {
            w.WriteStartObject();
            w.WriteNumber("operation", lost.OperationId);
            w.WriteString("key", lost.Key);
            WriteJsonText(w, "value", lost.Value);
            w.WriteNumber("index", lost.Index);
            w.WriteString("node", lost.Node);
            w.WriteString("why", lost.Why);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("lostCount", v.LostWrites.Count);
        w.WriteEndObject();

        w.WriteStartObject("convergence");
        w.WriteBoolean("passed", v.Converged);
        w.WriteNumber("seconds", Math.Round(v.ConvergenceTime.TotalSeconds, 1));
        w.WriteStartArray("finalReads");
        foreach (var read in v.FinalReads)
        {
            w.WriteStartObject();
            w.WriteString("node", read.Node);
            w.WriteString("key", read.Key);
            WriteJsonText(w, "value", read.Value);
            w.WriteNumber("index", read.Index);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("availability");
        w.WriteBoolean("passed", v.AvailabilityPassed);
        w.WriteNumber("runSeconds", Math.Round(v.RunTime.TotalSeconds, 1));
        w.WriteNumber("unavailableSeconds", Math.Round(v.UnavailableTime.TotalSeconds, 1));
        w.WriteNumber("maxUnavailableShare", v.MaxUnavailableShare);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
