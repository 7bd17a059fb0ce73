using System.Text.Json;
using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>What one node serves for one key once the faults are healed: its value's JSON text (null: absent) and the index of the write that set it.</summary>
internal sealed record FinalRead(string Node, string Key, string? Value, long Index);

/// <summary>After the faults heal: waits until every node serves the same value for every key, then reads them.</summary>
internal static class Convergence
{
    public static async Task<(bool Converged, IReadOnlyList<FinalRead> Reads, TimeSpan Took)> WaitAsync(
        IReadOnlyList<VerifyNode> nodes, int keys, HttpClient http, TimeSpan timeout, TimeProvider time, CancellationToken token)
    {
        var start = time.GetTimestamp();
        List<FinalRead> reads = [];
        while (true)
        {
            reads = [];
            var complete = true;
            foreach (var node in nodes)
            {
                for (var k = 0; k < keys; k++)
                {
                    var read = await ReadAsync(node, $"k{k}", http, token);
                    complete &= read is not null;
                    if (read is not null)
                    {
                        reads.Add(read);
                    }
                }
            }

            var agreed = complete && reads.GroupBy(r => r.Key).All(g => g.Select(r => (r.Value, r.Index)).Distinct().Count() == 1);
            if (agreed || time.GetElapsedTime(start) > timeout)
            {
                return (agreed, reads, time.GetElapsedTime(start));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, token);
        }
    }

    private static async Task<FinalRead?> ReadAsync(VerifyNode node, string key, HttpClient http, CancellationToken token)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(node.Url, $"kv/{key}"), token);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return new FinalRead(node.Id, key, null, 0);
            }

            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
            return new FinalRead(node.Id, key, document.RootElement.GetProperty("value").GetRawText(), document.RootElement.GetProperty("index").GetInt64());
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException && !token.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>A write answered committed that a node's final state does not hold.</summary>
internal sealed record LostWrite(int OperationId, string Key, string Value, long Index, string Node, string? FinalValue, long FinalIndex, string Why);

/// <summary>
/// "No committed write lost", made precise for a register: every write answered committed (with
/// index i) is visible on every node once the faults heal, meaning the node's value for that key
/// was set by that write or by one later in the log: the index of the write that set it is i and
/// the value is that write's, or the index is above i. An absent key, a lower index, or another
/// value at index i means the committed write was lost (or replaced by an older one).
/// </summary>
internal static class LostWrites
{
    public static IReadOnlyList<LostWrite> Find(IEnumerable<RecordedOperation> history, IReadOnlyList<FinalRead> finals)
    {
        var lost = new List<LostWrite>();
        var byKey = finals.ToLookup(f => f.Key, StringComparer.Ordinal);
        foreach (var op in history.Where(o => o.Op is { Outcome: Outcome.Ok } && (o.Op.Kind == OperationKind.Write || o.Op is { Kind: OperationKind.CompareAndSet, Swapped: true }) && o.Index is not null))
        {
            var index = op.Index!.Value;
            foreach (var final in byKey[op.Op.Key])
            {
                var why = final.Value is null ? "the key is absent"
                    : final.Index < index ? $"the node's value was set at index {final.Index}, before this write's {index}"
                    : final.Index == index && final.Value != op.Op.Value ? $"index {index} holds another value, {final.Value}"
                    : null;
                if (why is not null)
                {
                    lost.Add(new LostWrite(op.Op.Id, op.Op.Key, op.Op.Value!, index, final.Node, final.Value, final.Index, why));
                }
            }
        }

        return lost;
    }
}
