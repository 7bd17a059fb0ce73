using System.CommandLine;
using LeaderKv.Cli.Bench;
using LeaderKv.Cli.Client;
using LeaderKv.Cli.Commands;
using LeaderKv.Client;

namespace LeaderKv.Cli;

/// <summary>The <c>leaderkv</c> command line: parsing, and errors a person can read instead of stack traces.</summary>
public static class CliApp
{
    /// <summary>Long enough for a write that waits on a slow quorum (MAX_DELAY defaults to 1 s).</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>An API key for nodes started with API_KEYS; an environment variable so it stays out of shell history.</summary>
    public const string ApiKeyVariable = "LEADERKV_API_KEY";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken token = default)
    {
        using var http = new HttpClient { Timeout = RequestTimeout };
        if (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } apiKey)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        var client = new NodeClient(http);
        // Over the shared HttpClient (which carries the API key), so disposing one never closes it.
        LeaderKvClient Cluster(IReadOnlyList<Uri> nodes) => new(nodes, http);
        var root = new RootCommand("LeaderKV: a replicated key-value store with one leader and semi-synchronous followers.")
        {
            UpCommand.Create(),
            PutCommand.Create(Cluster),
            DeleteCommand.Create(Cluster),
            GetCommand.Create(Cluster),
            ListCommand.Create(Cluster),
            WatchCommand.Create(Cluster),
            CheckCommand.Create(() => client, Cluster, TimeProvider.System),
            StatusCommand.Create(Cluster),
            PromoteCommand.Create(Cluster),
            BenchCommand.Create(TimeProvider.System),
            Verify.VerifyCommand.Create(TimeProvider.System),
        };

        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Failures we expect are reported below; anything else is a bug and should show its stack.
            EnableDefaultExceptionHandler = false,
            // `up` installs its own SIGINT/SIGTERM handlers: stopping the nodes can take longer than
            // System.CommandLine's grace period before it ends the process.
            ProcessTerminationTimeout = null,
        };

        try
        {
            return await root.Parse(args).InvokeAsync(invocation, token);
        }
        catch (NodeRequestException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Error;
        }
        catch (LeaderKvUnavailableException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Error;
        }
        catch (LeaderKvException ex)
        {
            // The node answered, but not with success.
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return ExitCodes.Error;
        }
    }
}
