using System.Text;
using LeaderKv.Core.Consensus;

namespace LeaderKv.Core.Tests.Simulation;

/// <summary>
/// Real replicas whose messages go nowhere until a script says so: a test delivers, holds back,
/// duplicates or drops each one, so a regression can be written message by message.
/// </summary>
public sealed class ScriptedCluster
{
    private readonly Dictionary<string, Replica> _nodes = new(StringComparer.Ordinal);
    private int _seed = 1;

    public List<Message> InFlight { get; } = [];

    public List<(string Node, WriteOutcome Outcome)> Outcomes { get; } = [];

    /// <summary>Nodes whose disk is full: a Ready with anything to store is reported back with <see cref="Replica.ReportStorageFull"/>.</summary>
    public HashSet<string> FullDisks { get; } = new(StringComparer.Ordinal);

    /// <summary>Every verdict each node's applied entries got, by node and index.</summary>
    public Dictionary<(string Node, long Index), WriteVerdict> Verdicts { get; } = [];

    public List<(string Node, ReadIndexResult Read)> Reads { get; } = [];

    public static string[] Ids { get; } = ["n0", "n1", "n2", "n3", "n4", "n5"];

    public static ClusterConfig Automatic(string self, int writeQuorum) =>
        new(self, Ids.Where(id => id != self).ToList(), writeQuorum, FailoverMode.Automatic, "n0");

    public static ClusterConfig SeedLayout(string self, int writeQuorum) =>
        self == "n0"
            ? new ClusterConfig("n0", Ids.Skip(1).ToList(), writeQuorum, FailoverMode.Manual, "n0")
            : new ClusterConfig(self, [], 0, FailoverMode.Manual, "n0");

    public Replica this[string id] => _nodes[id];

    /// <summary>Starts (or restarts, replacing the old object) a node.</summary>
    public Replica Start(ClusterConfig config, RecoveredReplica? recovered = null)
    {
        var replica = new Replica(config, new Random(_seed++), new UniformDelaySource(TimeSpan.Zero, TimeSpan.Zero, new Random(0)), recovered);
        _nodes[config.Self] = replica;
        Drain(replica);
        return replica;
    }

    /// <summary>Asks <paramref name="id"/> for a linearizable read index; its answer lands in <see cref="Reads"/> (or is returned when refused at once).</summary>
    public ReadIndexResult RequestRead(string id, long requestId)
    {
        var result = _nodes[id].RequestReadIndex(requestId);
        Drain(_nodes[id]);
        return result;
    }

    public void Tick(string id, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _nodes[id].Tick();
            Drain(_nodes[id]);
        }
    }

    public ProposeResult Propose(string id, string key, string value)
    {
        var result = _nodes[id].Propose(key, Encoding.UTF8.GetBytes(value));
        Drain(_nodes[id]);
        return result;
    }

    public ProposeResult Propose(string id, WriteCommand command, long nowMs)
    {
        var result = _nodes[id].Propose(command, nowMs);
        Drain(_nodes[id]);
        return result;
    }

    public int ExpireDue(string id, long nowMs)
    {
        var proposed = _nodes[id].ExpireDue(nowMs);
        Drain(_nodes[id]);
        return proposed;
    }

    /// <summary>Delivers one message (it need not be in flight: a held-back or duplicated copy works too).</summary>
    public void Deliver(Message message)
    {
        InFlight.Remove(message);
        var to = _nodes[message.To];
        to.Step(message);
        Drain(to);
    }

    /// <summary>Delivers matching messages, and the ones they cause, until none match; drops nothing else.</summary>
    public void DeliverWhile(Func<Message, bool> route)
    {
        while (InFlight.FirstOrDefault(route) is { } message)
        {
            Deliver(message);
        }
    }

    /// <summary>Takes matching messages out of the network (lost, or held back by the test to deliver late).</summary>
    public List<Message> Take(Func<Message, bool> match)
    {
        var taken = InFlight.Where(match).ToList();
        InFlight.RemoveAll(taken.Contains);
        return taken;
    }

    public void DropAll() => InFlight.Clear();

    /// <summary>Space is back on <paramref name="id"/>'s disk, as the driver's probe would find.</summary>
    public void FreeDisk(string id)
    {
        FullDisks.Remove(id);
        _nodes[id].ReportStorageRecovered();
        Drain(_nodes[id]);
    }

    /// <summary>
    /// Makes <paramref name="candidate"/> leader with exactly <paramref name="voters"/> taking part:
    /// everyone involved first stops hearing a leader (their own election traffic is lost), then the
    /// candidate times out and its pre-vote, vote and recovery messages flow to and from the voters
    /// only. Appends after the election go only to <paramref name="appendsTo"/> (default: the voters).
    /// </summary>
    /// <param name="candidate">The node that campaigns.</param>
    /// <param name="voters">The only nodes it hears from.</param>
    /// <param name="appendsTo">Voters its appends reach (all of them when null).</param>
    /// <param name="heartbeats">False drops entry-less appends (heartbeats and commit notices), so the commit index reaches nobody.</param>
    public void Elect(string candidate, string[] voters, string[]? appendsTo = null, bool heartbeats = true)
    {
        var group = voters.Append(candidate).ToHashSet(StringComparer.Ordinal);
        // Two timeouts: long enough for a leader among them to fail its check-quorum and step down.
        var ticks = 2 * _nodes[candidate].Config.ElectionTicks;
        foreach (var id in group)
        {
            Tick(id, ticks);
        }

        DropAll();
        var appendTargets = (appendsTo ?? voters).ToHashSet(StringComparer.Ordinal);
        bool Route(Message m) =>
            group.Contains(m.From) && group.Contains(m.To)
            && (m is not (AppendRequest or SnapshotRequest) || appendTargets.Contains(m.To))
            && (heartbeats || m is not AppendRequest { Entries.Count: 0 });
        for (var i = 0; i < 100 && !(_nodes[candidate].IsLeader && !_nodes[candidate].IsRecovering); i++)
        {
            Tick(candidate);
            DeliverWhile(Route);
            InFlight.RemoveAll(m => !Route(m));
        }

        Invariant.Check(_nodes[candidate].IsLeader && !_nodes[candidate].IsRecovering, $"{candidate} did not win with {string.Join(",", voters)}");
    }

    public static string ValueAt(Replica replica, string key) =>
        replica.Table.TryGet(key, out var value) ? Encoding.UTF8.GetString(value.Value.Span) : "<none>";

    private void Drain(Replica replica)
    {
        while (replica.HasReady)
        {
            var ready = replica.TakeReady();
            if (FullDisks.Contains(replica.Id) && (ready.Entries.Count > 0 || ready.Snapshot is not null || ready.HardState is not null))
            {
                replica.ReportStorageFull(ready);
                Outcomes.AddRange(ready.Outcomes.Select(o => (replica.Id, o)));
                foreach (var verdict in ready.Verdicts)
                {
                    Verdicts[(replica.Id, verdict.Index)] = verdict;
                }

                Reads.AddRange(ready.Reads.Select(r => (replica.Id, r)));
                continue;
            }

            InFlight.AddRange(ready.Messages);
            Outcomes.AddRange(ready.Outcomes.Select(o => (replica.Id, o)));
            Invariant.Check(ready.Verdicts.Count == ready.Applied.Count, "a verdict for every applied entry");
            foreach (var verdict in ready.Verdicts)
            {
                Verdicts[(replica.Id, verdict.Index)] = verdict;
            }

            Reads.AddRange(ready.Reads.Select(r => (replica.Id, r)));
            replica.Advance();
        }
    }
}
