using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Endpoints;

/// <summary>How fresh a read must be: <c>?consistency=local|linearizable</c>, plus <c>minIndex</c>.</summary>
public enum ReadLevel
{
    /// <summary>The default: this node's applied prefix as it is now. Fast, possibly stale, always a prefix of the committed history.</summary>
    Local,

    /// <summary>On the leader only: reflects every write answered committed before the read arrived, by this leader or an earlier one.</summary>
    Linearizable,
}

/// <summary>
/// The gate every read passes before it looks at the table. <c>local</c> passes at once (after the
/// <c>minIndex</c> wait, if one was asked); <c>linearizable</c> has the leader confirm its
/// leadership with a fresh round (DESIGN §3 "Reads"), then waits until the read index is applied.
/// Each wait (the round, then the read index) is bounded by <c>waitMs</c> (default 1000 ms, at most 30 s).
/// </summary>
internal static class ReadConsistency
{
    public const int DefaultWaitMs = 1000;

    public const int MaxWaitMs = 30_000;

    public static async Task<IResult?> CheckAsync(
        INodeStore store, NodeSettings settings, string? consistency, long? minIndex, int? waitMs, CancellationToken token)
    {
        if (!TryParse(consistency, out var level))
        {
            return Problems.Invalid("consistency", $"consistency must be 'local' (the default) or 'linearizable', got '{consistency}'.");
        }

        if (waitMs is < 0 or > MaxWaitMs)
        {
            return Problems.Invalid("waitMs", $"waitMs must be between 0 and {MaxWaitMs}.");
        }

        if (await ReadYourWrites.CheckAsync(store, minIndex, waitMs, token) is { } notCaughtUp)
        {
            return notCaughtUp;
        }

        return level == ReadLevel.Linearizable ? await LinearizableAsync(store, settings, TimeSpan.FromMilliseconds(waitMs ?? DefaultWaitMs), token) : null;
    }

    public static bool TryParse(string? text, out ReadLevel level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "local":
                level = ReadLevel.Local;
                return true;
            case "linearizable":
                level = ReadLevel.Linearizable;
                return true;
            default:
                level = ReadLevel.Local;
                return false;
        }
    }

    private static async Task<IResult?> LinearizableAsync(INodeStore store, NodeSettings settings, TimeSpan wait, CancellationToken token)
    {
        var confirmed = await store.ConfirmReadAsync(wait, token);
        switch (confirmed.Status)
        {
            case ReadIndexStatus.Confirmed:
                break;
            case ReadIndexStatus.NotLeader:
            case ReadIndexStatus.LostLeadership when confirmed.LeaderId is not null:
                return Problems.NotLeaderForRead(settings.UrlOf(confirmed.LeaderId) ?? settings.LeaderUrl, confirmed.LeaderId);
            case ReadIndexStatus.NoLeader:
            case ReadIndexStatus.LostLeadership:
                return Problems.NoLeader(settings.ElectionTimeout, confirmed.Term);
            case ReadIndexStatus.Recovering:
                return Problems.LeaderRecovering(settings.ElectionTimeout, confirmed.Term);
            case ReadIndexStatus.Overloaded:
                return Problems.ReadsOverloaded(confirmed.Term);
            default:
                return Problems.ReadUnconfirmed(settings.ElectionTimeout, confirmed.Term);
        }

        // Confirmed: what this node shows once it has applied the read index holds every write answered
        // before the read, whatever happens to its leadership meanwhile (it only ever applies committed entries).
        return await store.WaitForAppliedAsync(confirmed.Index, wait, token)
            ? null
            : Problems.ReadIndexNotApplied(confirmed.Index, store.AppliedThrough, confirmed.Term);
    }
}
