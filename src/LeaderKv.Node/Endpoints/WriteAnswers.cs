using LeaderKv.Core;
using LeaderKv.Core.Consensus;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Contracts;
using LeaderKv.Node.Replication;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// Turns the core's answer to a write into HTTP, the same for <c>/write</c>, <c>PUT</c> and
/// <c>DELETE /kv/{key}</c>: rejected (400 not-leader, 503 with Retry-After, 422 reused idempotency
/// key, 507 disk-full or quota-exceeded), 503 node-stopping (the node stops; with an index the
/// outcome is unknown), unknown (the seed's 500), or committed, which is 200, or 412 when the entry's condition did
/// not hold as it was applied. A repeated Idempotency-Key gets the first write's answer again, marked
/// with <c>Idempotent-Replayed: true</c>. Only a committed outcome with a verdict can give 412: an
/// unknown outcome stays a 500 whatever its condition.
/// </summary>
internal static class WriteAnswers
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static IResult From(WriteResult result, WriteCommand command, ReplicaDriver replica, NodeSettings settings, ILogger logger, HttpResponse response)
    {
        var proposal = result.Proposal;
        if (result.NodeStopping)
        {
            return Problems.NodeStopping(proposal.IsAccepted ? proposal.Index : 0, proposal.Term);
        }

        switch (proposal.Status)
        {
            case ProposeStatus.NotLeader:
                return Problems.NotLeader(result.LeaderUrl ?? settings.LeaderUrl, proposal.LeaderId);
            case ProposeStatus.NoLeader:
                return Problems.NoLeader(settings.ElectionTimeout, proposal.Term);
            case ProposeStatus.Recovering:
                return Problems.LeaderRecovering(settings.ElectionTimeout, proposal.Term);
            case ProposeStatus.QuorumUnreachable:
                return Problems.QuorumUnreachable(settings.WriteQuorum, settings.ElectionTimeout, proposal.Term);
            case ProposeStatus.Overloaded:
                return Problems.Overloaded(proposal.Term);
            case ProposeStatus.StorageFull:
                return Problems.DiskFull(proposal.Term);
            case ProposeStatus.QuotaExceeded:
                var (size, growth) = replica.Read(table => (table.Bytes, table.GrowthOf(command.Op, command.Key, command.Value.Length)));
                return Problems.QuotaExceeded(settings.MaxDataBytes, size, growth);
            case ProposeStatus.IdempotencyKeyReused:
                return Problems.IdempotencyKeyReused(command.IdempotencyKey!, proposal.Index);
            case ProposeStatus.Replayed:
                return Replayed(proposal.Replay!, command, proposal.Term, acks: 0, settings, response);
        }

        var outcome = result.Outcome!.Value;
        if (outcome.Kind == WriteOutcomeKind.NotLogged)
        {
            // The leader's disk filled before the write was logged: it was never sent, nothing was written.
            return Problems.DiskFull(outcome.Term);
        }

        if (outcome.Kind != WriteOutcomeKind.Committed)
        {
            logger.OutcomeUnknown(outcome.Index, outcome.Term, outcome.Acks, settings.WriteQuorum);
            return Problems.QuorumNotMet(outcome.Index, outcome.Term, outcome.Acks, settings.WriteQuorum);
        }

        switch (outcome.Verdict)
        {
            case { Kind: WriteVerdictKind.Replayed, Original: { } original }:
                // The entry repeated an earlier one with the same key (applied with no effect): answer as that one was.
                return Replayed(original, command, outcome.Term, outcome.Acks, settings, response);
            case { Kind: WriteVerdictKind.ConditionFailed } failed:
                return Problems.PreconditionFailed(command.Key, outcome.Index, outcome.Term, failed.Before);
        }

        var existed = outcome.Verdict is { } verdict && command.Op == WriteOp.Delete ? verdict.Before != 0 : (bool?)null;
        return Committed(command, outcome.Index, outcome.Term, outcome.Acks, outcome.CompletingDelay, existed, settings, response);
    }

    private static IResult Replayed(IdempotencyRecord original, WriteCommand command, long term, int acks, NodeSettings settings, HttpResponse response)
    {
        response.Headers[ReplayedHeader] = "true";
        if (original.Verdict == WriteVerdictKind.ConditionFailed)
        {
            return Problems.PreconditionFailed(command.Key, original.Index, term, original.KeyIndex);
        }

        var existed = command.Op == WriteOp.Delete ? original.KeyIndex != 0 : (bool?)null;
        return Committed(command, original.Index, term, acks, TimeSpan.Zero, existed, settings, response);
    }

    private static IResult Committed(WriteCommand command, long index, long term, int acks, TimeSpan delay, bool? existed, NodeSettings settings, HttpResponse response)
    {
        if (command.Op == WriteOp.Put)
        {
            response.Headers.ETag = EntityTag.Of(index);
        }

        // The seed answers "written_local_only" when it has no followers to replicate to.
        var status = settings.Followers.Count == 0 ? "written_local_only" : "success";
        return TypedResults.Ok(new WriteAccepted(status, true, index, acks, settings.WriteQuorum, delay.TotalMilliseconds, "committed", term) { Existed = existed });
    }
}
