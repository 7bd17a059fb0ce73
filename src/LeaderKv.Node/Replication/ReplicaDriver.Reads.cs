using LeaderKv.Core;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Node.Replication;

/// <summary>The driver's side of linearizable reads: it asks the replica for a read index and hands the answer to the waiting request.</summary>
public sealed partial class ReplicaDriver
{
    private readonly Dictionary<long, TaskCompletionSource<ReadIndexResult>> _reads = [];
    private long _nextReadId;

    /// <summary>
    /// Asks the replica to confirm, with a fresh round, that it still leads, and returns the read index
    /// to wait for (the caller then waits until it is applied and reads the table). A refusal comes at
    /// once; a round that is not confirmed within <paramref name="timeout"/> is answered
    /// <see cref="ReadIndexStatus.Unconfirmed"/>.
    /// </summary>
    public async Task<ReadIndexResult> ConfirmReadAsync(TimeSpan timeout, CancellationToken token)
    {
        var waiter = new TaskCompletionSource<ReadIndexResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = WithReplica(replica =>
        {
            var result = replica.RequestReadIndex(++_nextReadId);
            if (result.Status == ReadIndexStatus.Pending)
            {
                _reads[result.RequestId] = waiter;
            }

            return result;
        });
        if (asked.Status != ReadIndexStatus.Pending)
        {
            return asked;
        }

        Wake();
        try
        {
            return await waiter.Task.WaitAsync(timeout, _time, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                _reads.Remove(asked.RequestId);
            }

            if (waiter.Task.IsCompletedSuccessfully)
            {
                return waiter.Task.Result;
            }

            token.ThrowIfCancellationRequested();
            return asked with { Status = ReadIndexStatus.Unconfirmed };
        }
    }

    public T ReadAt<T>(Func<KeyValueTable, long, T> read)
    {
        lock (_gate)
        {
            return read(_replica.Table, _replica.AppliedThrough);
        }
    }

    private void DispatchReads(Ready ready)
    {
        foreach (var answer in ready.Reads)
        {
            TaskCompletionSource<ReadIndexResult>? waiter;
            lock (_gate)
            {
                _reads.Remove(answer.RequestId, out waiter);
            }

            waiter?.TrySetResult(answer);
        }
    }
}
