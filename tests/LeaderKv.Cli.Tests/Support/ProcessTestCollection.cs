namespace LeaderKv.Cli.Tests.Support;

/// <summary>
/// Tests that start node processes run one at a time: six ASP.NET Core processes per cluster already
/// fill a two-core machine, and start-up deadlines should measure correctness, not contention.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTestCollection
{
    public const string Name = "Node processes";
}
