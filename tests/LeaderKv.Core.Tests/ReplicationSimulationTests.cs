namespace LeaderKv.Core.Tests;

/// <summary>
/// A seeded leader and five followers over a simulated network that delays, drops, duplicates
/// and reorders messages and restarts followers. After every step a checker verifies that each
/// follower serves a prefix of the leader's history; at the end, with the faults switched off,
/// every follower must equal the leader. A failure names its seed, which replays the run exactly.
/// </summary>
public class ReplicationSimulationTests
{
    public static TheoryData<int, int> Runs()
    {
        var data = new TheoryData<int, int>();
        for (var seed = 1; seed <= 12; seed++)
        {
            data.Add(seed, seed % 6);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Followers_stay_prefixes_under_faults_and_converge_once_they_stop(int seed, int quorum)
    {
        var simulation = new Simulation(seed, followerCount: 5, quorum);

        simulation.Run(steps: 3000, faults: true);
        simulation.Settle();

        simulation.AssertConverged();
        Assert.True(simulation.MetWrites > 0, $"seed {seed}: no write met its quorum, so the run proved nothing");
    }

    private sealed class Simulation
    {
        /// <summary>The prefix check replays the history, so it runs every few simulated milliseconds, not every one.</summary>
        private const int CheckEverySteps = 5;

        private static readonly DateTimeOffset Epoch = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

        private readonly Random _random;
        private readonly int _seed;
        private readonly int _quorum;
        private readonly LeaderState _leader;
        private readonly FollowerState[] _followers;
        private readonly long[] _incarnations;
        private readonly PriorityQueue<Action, (long Due, long Sequence)> _events = new();
        private long _sequence;
        private long _nowMs;
        private bool _faults;

        public Simulation(int seed, int followerCount, int quorum)
        {
            _seed = seed;
            _quorum = quorum;
            _random = new Random(seed);
            _leader = new LeaderState(followerCount, quorum, 1, new UniformDelaySource(TimeSpan.Zero, TimeSpan.FromMilliseconds(40), new Random(seed + 1000)));
            _followers = Enumerable.Range(0, followerCount).Select(_ => new FollowerState(ReplicationMode.Ordered)).ToArray();
            _incarnations = Enumerable.Range(1, followerCount).Select(i => (long)i).ToArray();
        }

        public int MetWrites { get; private set; }

        private DateTimeOffset Now => Epoch.AddMilliseconds(_nowMs);

        public void Run(int steps, bool faults)
        {
            _faults = faults;
            for (var step = 0; step < steps; step++)
            {
                _nowMs++;
                if (_random.Next(3) == 0)
                {
                    Propose();
                }

                if (_faults && _random.Next(400) == 0)
                {
                    Restart(_random.Next(_followers.Length));
                }

                PollCatchUp();
                DeliverDue();
                if (step % CheckEverySteps == 0)
                {
                    Check();
                }
            }
        }

        /// <summary>Faults off, no new writes: run until every follower has everything (bounded).</summary>
        public void Settle()
        {
            _faults = false;
            for (var step = 0; step < 60_000 && !IsConverged(); step++)
            {
                _nowMs++;
                PollCatchUp();
                DeliverDue();
            }

            Check();
        }

        public void AssertConverged()
        {
            var expected = Entries.Snapshot(_leader.Table);
            for (var f = 0; f < _followers.Length; f++)
            {
                Assert.True(_leader.Log.LastIndex == _followers[f].AppliedThrough, $"seed {_seed}: follower {f} applied through {_followers[f].AppliedThrough} of {_leader.Log.LastIndex}");
                Assert.Equal(expected, Entries.Snapshot(_followers[f].Table));
            }
        }

        private bool IsConverged() => _followers.All(f => f.AppliedThrough == _leader.Log.LastIndex);

        private void Propose()
        {
            var proposal = _leader.Propose($"k{_random.Next(8)}", Entries.Make(0, "", _random.Next(1000)).Value);
            Record([proposal.Decision]);
            foreach (var send in proposal.Sends)
            {
                Send(send.Follower, [proposal.Entry], (long)send.Delay.TotalMilliseconds);
            }
        }

        private void PollCatchUp()
        {
            for (var f = 0; f < _followers.Length; f++)
            {
                if (_leader.NextCatchUp(f, Now) is { } batch)
                {
                    Send(f, batch.Entries, _random.Next(1, 5));
                }
            }
        }

        private void Send(int follower, IReadOnlyList<LogEntry> entries, long delayMs)
        {
            var indexes = entries.Select(e => e.Index).ToArray();
            if (_faults && _random.Next(20) == 0)
            {
                // Dropped: the leader learns of it when its request times out.
                Schedule(delayMs + 50, () => Record(_leader.OnAppendFailed(follower, indexes, Now)));
                return;
            }

            var copies = _faults && _random.Next(20) == 0 ? 2 : 1;
            for (var copy = 0; copy < copies; copy++)
            {
                Schedule(delayMs + _random.Next(0, 10), () =>
                {
                    var result = _followers[follower].Receive(entries);
                    var reply = new AppendReply(result.AppliedThrough, result.AcceptedThrough, _incarnations[follower]);
                    Schedule(_random.Next(1, 5), () => Record(_leader.OnAppendSucceeded(follower, indexes, reply, Now)));
                });
            }
        }

        private void Restart(int follower)
        {
            _followers[follower] = new FollowerState(ReplicationMode.Ordered);
            _incarnations[follower] += 100;
        }

        private void Schedule(long afterMs, Action action) => _events.Enqueue(action, (_nowMs + afterMs, _sequence++));

        private void DeliverDue()
        {
            while (_events.TryPeek(out _, out var due) && due.Due <= _nowMs)
            {
                _events.Dequeue()();
            }
        }

        private void Record(IEnumerable<QuorumDecision> decisions)
        {
            foreach (var decision in decisions.Where(d => d.Outcome == QuorumOutcome.Met))
            {
                MetWrites++;
                Assert.True(decision.Acks >= _quorum, $"seed {_seed}: write {decision.Index} met with {decision.Acks} acks < {_quorum}");
            }
        }

        private void Check()
        {
            for (var f = 0; f < _followers.Length; f++)
            {
                var follower = _followers[f];
                var expected = Entries.StateAfter(_leader.Log.Read(1, int.MaxValue, int.MaxValue), follower.AppliedThrough);
                if (!DictionaryEquals(expected, Entries.Snapshot(follower.Table)))
                {
                    Assert.Fail($"seed {_seed}, t={_nowMs} ms: follower {f} is not a prefix of the leader's history at index {follower.AppliedThrough}");
                }
            }
        }

        private static bool DictionaryEquals(Dictionary<string, string> a, Dictionary<string, string> b) =>
            a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }
}
