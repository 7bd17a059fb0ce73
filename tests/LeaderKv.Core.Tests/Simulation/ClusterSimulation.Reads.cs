using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>
/// Linearizable reads in the simulation: clients ask the leader (and now and then any node) for a
/// read index, and serve the read from that node's table once it has applied the index, as the
/// node's driver does. The checker holds each served read to the writes answered committed before
/// it was asked.
/// </summary>
public sealed partial class ClusterSimulation
{
    private readonly List<SimRead> _reads = [];
    private long _nextReadId;

    private void ReadSome()
    {
        if (_random.NextDouble() >= 0.5)
        {
            return;
        }

        var leader = _nodes.Where(n => n.Runs(_tick) && n.Replica.IsLeader).MaxBy(n => n.Replica.Term);
        // Now and then the oldest-term node that thinks it leads: a deposed leader that has not noticed yet.
        var deposed = _nodes.Where(n => n.Runs(_tick) && n.Replica.IsLeader).MinBy(n => n.Replica.Term);
        var roll = _random.NextDouble();
        var target = roll < 0.6 ? leader : roll < 0.9 ? deposed : _nodes[_random.Next(_nodes.Length)];
        if (target is null || !target.Runs(_tick))
        {
            return;
        }

        var replica = target.Replica;
        var key = Keys[_random.Next(Keys.Length)];
        var read = new SimRead(++_nextReadId, target, replica.Incarnation, key, Checker.ReadFloor(key));
        if (_options.Reads == ReadRule.WithoutConfirmation)
        {
            // The broken rule: a node that believes it leads serves at its read index without asking anyone.
            if (replica.IsLeader && !replica.IsRecovering)
            {
                read.Index = replica.ReadIndex;
                _reads.Add(read);
                ServeReads(target);
            }

            return;
        }

        var asked = replica.RequestReadIndex(read.Id);
        Trace(() => $"client -> {replica.Id} read {key}: {asked.Status} (index {asked.Index})");
        if (asked.IsRefused)
        {
            if (replica.IsLeader && !replica.IsRecovering)
            {
                Checker.Fail($"{replica.Id} leads (not recovering) but refused a read with {asked.Status}");
            }

            return;
        }

        _reads.Add(read);
        Drain(target);
    }

    /// <summary>Read answers from a Ready: a confirmed read waits for its index to be applied; a refused one is dropped.</summary>
    private void OnReadAnswers(SimNode node, IReadOnlyList<ReadIndexResult> answers)
    {
        foreach (var answer in answers)
        {
            var read = _reads.Find(r => r.Id == answer.RequestId && r.Node == node && r.Incarnation == node.Replica.Incarnation);
            if (read is null)
            {
                Checker.Fail($"{node.Id} answered read {answer.RequestId}, which no client asked of this run");
                return;
            }

            Trace(() => $"{node.Id} read {read.Id} {answer.Status} at {answer.Index}");
            if (answer.Status == ReadIndexStatus.Confirmed)
            {
                read.Index = answer.Index;
            }
            else
            {
                _reads.Remove(read);
            }
        }
    }

    /// <summary>Serves every confirmed read of <paramref name="node"/> whose index it has applied, and forgets reads of runs that crashed.</summary>
    private void ServeReads(SimNode node)
    {
        _reads.RemoveAll(r => r.Node == node && r.Incarnation != node.Replica.Incarnation);
        foreach (var read in _reads.Where(r => r.Node == node && r.Index is { } index && index <= node.Replica.AppliedThrough).ToList())
        {
            _reads.Remove(read);
            var replica = node.Replica;
            long? version = replica.Table.TryGet(read.Key, out var value) ? value.Index : null;
            Trace(() => $"{node.Id} serves read {read.Id} of {read.Key}: version {version} applied {replica.AppliedThrough}");
            Checker.OnLinearizableRead(node.Id, read.Key, read.Floor, replica.AppliedThrough, version);
        }
    }

    private sealed class SimRead(long id, SimNode node, long incarnation, string key, ReadFloor floor)
    {
        public long Id { get; } = id;

        public SimNode Node { get; } = node;

        public long Incarnation { get; } = incarnation;

        public string Key { get; } = key;

        public ReadFloor Floor { get; } = floor;

        /// <summary>The confirmed read index; null while the round is on its way.</summary>
        public long? Index { get; set; }
    }
}

/// <summary>How the simulation's clients serve linearizable reads.</summary>
public enum ReadRule
{
    /// <summary>DESIGN §3: ask the core for a read index, confirmed by a fresh round.</summary>
    Confirmed,

    /// <summary>Deliberately broken: a node that believes it leads serves at its read index with no round (a deposed leader serves stale data).</summary>
    WithoutConfirmation,
}

/// <summary>What a linearizable read must at least show: the last write to its key, and the highest write, answered committed before it was asked.</summary>
public readonly record struct ReadFloor(long KeyIndex, long AnyIndex);
