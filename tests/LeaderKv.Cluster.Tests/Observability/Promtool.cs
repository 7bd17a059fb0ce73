using System.Diagnostics;

namespace LeaderKv.Cluster.Tests.Observability;

/// <summary>
/// Debian's <c>promtool</c> (package <c>prometheus</c>; .ci/run installs it): the reference parser
/// and linter of the Prometheus text format and of rule files. Missing, the tests fail and say how
/// to install it rather than pass without having checked anything.
/// </summary>
internal static class Promtool
{
    /// <summary>
    /// Lint findings that are the .NET runtime's own instrument names (gauges whose names end in
    /// <c>_count</c>, e.g. <c>dotnet.assembly.count</c>); the exporter keeps third-party names as
    /// their owners define them, as OpenTelemetry's exporter does. Anything else fails.
    /// </summary>
    private static readonly string[] AcceptedRuntimeNames = ["dotnet_assembly_count ", "dotnet_process_cpu_count ", "dotnet_timer_count "];

    /// <summary><c>promtool check metrics</c>: exit 1 is a parse error, exit 3 lint findings.</summary>
    public static async Task CheckMetricsAsync(string scrape, string node)
    {
        var (exitCode, output) = await RunAsync(["check", "metrics"], scrape);
        var findings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !AcceptedRuntimeNames.Any(name => line.StartsWith(name, StringComparison.Ordinal)))
            .ToList();
        Assert.True(exitCode is 0 or 3, $"promtool check metrics rejected the scrape of {node} (exit {exitCode}):\n{output}");
        Assert.True(findings.Count == 0, $"promtool check metrics found problems in the scrape of {node}:\n{string.Join('\n', findings)}");
    }

    /// <summary><c>promtool check rules FILE</c>: the file parses and every expression is valid PromQL.</summary>
    public static async Task CheckRulesAsync(string path)
    {
        var (exitCode, output) = await RunAsync(["check", "rules", path], stdin: null);
        Assert.True(exitCode == 0, $"promtool check rules {path} failed (exit {exitCode}):\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            Assert.Fail($"promtool is not installed ({error.Message}). Install Debian's prometheus package, as .ci/run does: apt-get install -y --no-install-recommends prometheus");
            throw;
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TestCluster.Patience);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }
}
