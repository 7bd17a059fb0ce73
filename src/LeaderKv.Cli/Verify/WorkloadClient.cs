using LeaderKv.Linearizability;

namespace LeaderKv.Cli.Verify;

/// <summary>
/// One of verify's concurrent clients: a loop of single requests (writes of values unique to the
/// run, reads, and compare-and-sets when enabled) on a few keys, each recorded with its outcome.
/// Writes go to the node the client believes leads (following not-leader answers); reads to a
/// random node, fenced so that they reflect every write completed before they started.
/// </summary>
internal sealed class WorkloadClient(int id, VerifySettings settings, IReadOnlyList<VerifyNode> nodes, IKvOperations kv, RunHistory history, Random random)
{
    private readonly Dictionary<string, (string? Value, long Index)> _lastRead = new(StringComparer.Ordinal);
    private Uri _leader = nodes[0].Url;
    private int _written;

    public async Task RunAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var key = $"k{random.Next(settings.Keys)}";
            var roll = random.Next(100);
            if (settings.CompareAndSet && roll < 20 && _lastRead.TryGetValue(key, out var last) && last.Value is not null)
            {
                await CompareAndSetAsync(key, last.Value, last.Index, token);
            }
            else if (roll < 60)
            {
                await WriteAsync(key, token);
            }
            else
            {
                await ReadAsync(key, token);
            }
        }
    }

    private string NextValue() => $"\"c{id}-{++_written}\"";

    private async Task WriteAsync(string key, CancellationToken token)
    {
        var value = NextValue();
        var node = _leader;
        var opId = history.NextId();
        var invoked = history.NowUs;
        var answer = await kv.WriteAsync(node, key, value, CancellationToken.None);
        var completed = history.NowUs;
        Follow(answer);
        if (answer is { Outcome: Outcome.Ok, Index: { } index })
        {
            history.RaiseFence(index);
        }

        history.Add(new RecordedOperation(
            new Operation
            {
                Id = opId, Client = id, Key = key, Kind = OperationKind.Write, Value = value, Outcome = answer.Outcome,
                InvokedAt = invoked, CompletedAt = answer.Outcome == Outcome.Unknown ? null : completed,
            },
            NodeName(node), answer.Index, null, answer.Detail ?? (answer.Outcome == Outcome.Unknown ? "unknown" : null), completed));
        await BackOffAsync(answer, token);
    }

    private async Task ReadAsync(string key, CancellationToken token)
    {
        var node = settings.Reads == ReadMode.Linearizable ? _leader : nodes[random.Next(nodes.Count)].Url;
        var fence = history.Fence;
        var opId = history.NextId();
        var invoked = history.NowUs;
        var answer = await kv.ReadAsync(node, key, fence, CancellationToken.None);
        var completed = history.NowUs;
        if (answer is { Outcome: Outcome.Ok })
        {
            history.RaiseFence(answer.Index ?? 0);
            _lastRead[key] = (answer.Value, answer.Index ?? 0);
        }
        else if (settings.Reads == ReadMode.Linearizable)
        {
            Follow(answer);
        }

        history.Add(new RecordedOperation(
            new Operation
            {
                Id = opId, Client = id, Key = key, Kind = OperationKind.Read, Value = answer.Value,
                Outcome = answer.Outcome == Outcome.Ok ? Outcome.Ok : Outcome.Failed, InvokedAt = invoked, CompletedAt = completed,
            },
            NodeName(node), answer.Index, settings.Reads == ReadMode.Fenced ? fence : null, answer.Detail, completed));
        await BackOffAsync(answer, token);
    }

    private async Task CompareAndSetAsync(string key, string expected, long expectedIndex, CancellationToken token)
    {
        var value = NextValue();
        var node = _leader;
        var opId = history.NextId();
        var invoked = history.NowUs;
        var answer = await kv.CompareAndSetAsync(node, key, expectedIndex, value, CancellationToken.None);
        var completed = history.NowUs;
        Follow(answer);
        if (answer is { Outcome: Outcome.Ok, Swapped: true, Index: { } index })
        {
            history.RaiseFence(index);
        }

        _lastRead.Remove(key);
        history.Add(new RecordedOperation(
            new Operation
            {
                Id = opId, Client = id, Key = key, Kind = OperationKind.CompareAndSet, Expected = expected, Value = value, Swapped = answer.Swapped,
                Outcome = answer.Outcome, InvokedAt = invoked, CompletedAt = answer.Outcome == Outcome.Unknown ? null : completed,
            },
            NodeName(node), answer.Index, null, answer.Detail, completed));
        await BackOffAsync(answer, token);
    }

    /// <summary>A not-leader answer names the leader; no answer at all sends the client to another node.</summary>
    private void Follow(OpAnswer answer)
    {
        if (answer.Leader is { } leader)
        {
            _leader = nodes.FirstOrDefault(n => n.Url.Authority == leader.Authority)?.Url ?? _leader;
        }
        else if (answer.Outcome != Outcome.Ok)
        {
            _leader = nodes[random.Next(nodes.Count)].Url;
        }
    }

    /// <summary>After a failure, a short pause so that an election is not flooded with doomed requests.</summary>
    private static async Task BackOffAsync(OpAnswer answer, CancellationToken token)
    {
        if (answer.Outcome == Outcome.Ok)
        {
            return;
        }

        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), token);
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private string NodeName(Uri url) => nodes.FirstOrDefault(n => n.Url == url)?.Id ?? url.Authority;
}
