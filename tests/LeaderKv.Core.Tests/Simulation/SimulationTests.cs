namespace LeaderKv.Core.Tests.Simulation;

/// <summary>
/// The whole-cluster simulation over many seeds (DESIGN §6): six real replicas, a hostile network,
/// crashes and restarts, a checker after every step, then healing and convergence. A failure names
/// the seed; <see cref="Replay"/> runs that one seed again, exactly.
/// </summary>
public class SimulationTests
{
    /// <summary>Seeds per CI run: at least 10,000 (SIM_SEEDS overrides it, to search further or to iterate quickly).</summary>
    private static readonly int SeedCount =
        int.TryParse(Environment.GetEnvironmentVariable("SIM_SEEDS"), out var count) ? count : 10_000;

    /// <summary>Runs one seed; a violation throws with the seed and how to replay it.</summary>
    public static ClusterSimulation Replay(int seed, SimulationOptions? options = null)
    {
        var simulation = new ClusterSimulation(seed, options);
        simulation.Run();
        return simulation;
    }

    [Fact]
    public void Ten_thousand_seeds_keep_every_safety_property_and_converge_after_healing()
    {
        // Goal: no seed breaks a property. Method: independent seeds in parallel; the first failures are reported with their seeds.
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Seed, string Message)>();
        var committed = 0L;
        Parallel.For(1, SeedCount + 1, seed =>
        {
            try
            {
                var simulation = Replay(seed);
                Interlocked.Add(ref committed, simulation.CommittedWrites);
            }
            catch (SimulationViolation violation)
            {
                failures.Add((seed, violation.Message));
            }
        });

        var first = failures.OrderBy(f => f.Seed).Take(5).ToList();
        Assert.True(first.Count == 0, $"{failures.Count} of {SeedCount} seeds failed; first:\n{string.Join("\n\n", first.Select(f => f.Message))}");
        Assert.True(committed > SeedCount, $"only {committed} writes committed over {SeedCount} seeds: the runs proved little");
    }

    [Fact]
    public void One_seed_replays_from_the_environment()
    {
        // Goal: a failing seed can be rerun alone under a debugger. Method: SIM_SEED picks it (default 1); SIM_TRACE=path writes its trace.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SIM_SEED"), out var chosen) ? chosen : 1;
        var tracePath = Environment.GetEnvironmentVariable("SIM_TRACE");
        using var trace = tracePath is null ? null : new StreamWriter(tracePath);
        var simulation = Replay(seed, new SimulationOptions { Trace = trace is null ? null : trace.WriteLine });
        Assert.True(simulation.CommittedWrites >= 0);
    }
}
