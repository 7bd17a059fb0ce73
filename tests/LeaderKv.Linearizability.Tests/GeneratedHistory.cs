namespace LeaderKv.Linearizability.Tests;

/// <summary>
/// Seeded histories of a correct register store: each client runs operations back to back on
/// random keys, each takes effect at a random instant inside its interval, and the answers are
/// computed from that order, so the history is linearizable by construction. A few writes get
/// an unknown outcome (half of them took effect); compare-and-sets expect a recent value.
/// </summary>
internal static class GeneratedHistory
{
    public static List<Operation> Create(int seed, int clients, int keys, int operations, bool unknownSwaps = true)
    {
        var random = new Random(seed);
        var clientTime = new long[clients];
        var planned = new List<(Operation Op, long At, bool Lands)>();
        for (var id = 0; id < operations; id++)
        {
            var client = random.Next(clients);
            var from = clientTime[client] + random.Next(0, 20);
            var to = from + 1 + random.Next(0, 100);
            clientTime[client] = to;
            var key = $"k{random.Next(keys)}";
            var roll = random.Next(100);
            var kind = roll < 45 ? OperationKind.Read : roll < 85 ? OperationKind.Write : OperationKind.CompareAndSet;
            var unknown = kind != OperationKind.Read && random.Next(100) < 3 && (unknownSwaps || kind == OperationKind.Write);
            var op = new Operation
            {
                Id = id, Client = client, Key = key, Kind = kind, Value = kind == OperationKind.Read ? null : $"v{id}",
                Outcome = unknown ? Outcome.Unknown : Outcome.Ok, InvokedAt = from, CompletedAt = unknown ? null : to,
            };
            planned.Add((op, from + random.NextInt64(to - from + 1), !unknown || random.Next(2) == 0));
        }

        var state = new Dictionary<string, string?>();
        var recent = new Dictionary<string, List<string?>>();
        var history = new List<Operation>();
        foreach (var (op, _, lands) in planned.OrderBy(p => p.At).ThenBy(p => p.Op.Id))
        {
            var current = state.GetValueOrDefault(op.Key);
            var seen = recent.TryGetValue(op.Key, out var list) ? list : recent[op.Key] = [null];
            switch (op.Kind)
            {
                case OperationKind.Read:
                    history.Add(op with { Value = current });
                    break;
                case OperationKind.Write:
                    if (lands)
                    {
                        state[op.Key] = op.Value;
                        seen.Add(op.Value);
                    }

                    history.Add(op);
                    break;
                default:
                    var expected = random.Next(2) == 0 ? current : seen[Math.Max(0, seen.Count - 1 - random.Next(3))];
                    var swapped = lands && expected == current;
                    if (swapped)
                    {
                        state[op.Key] = op.Value;
                        seen.Add(op.Value);
                    }

                    history.Add(op with { Expected = expected, Swapped = swapped });
                    break;
            }
        }

        return [.. history.OrderBy(op => op.Id)];
    }
}
