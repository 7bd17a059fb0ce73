using LeaderKv.Cli.Cluster;
using LeaderKv.TestSupport.Processes;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>
/// <c>leaderkv</c> run as a real process (the copy in this test's output folder), with its output
/// collected line by line; disposing the <see cref="ChildProcess"/> kills it and its tree if a test
/// left it running. stdin is a pipe, so the CLI never reads the test runner's terminal.
/// </summary>
internal static class CliProcess
{
    public static ChildProcess Start(params string[] arguments) =>
        ChildProcess.Start(DotnetHost.Resolve(), [Path.Combine(AppContext.BaseDirectory, "leaderkv.dll"), .. arguments], redirectInput: true);
}
