using System.Diagnostics;
using LeaderKv.Client;

namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// The seed's load, done with async writers instead of threads: <c>concurrency</c> writers take the
/// next write number from a shared counter until <c>writes</c> have been sent, so at most
/// <c>concurrency</c> writes are in flight, as with benchmark.py's ThreadPoolExecutor. Writes go
/// through <see cref="LeaderKvClient"/> with one attempt and the leader as its only node, so that a
/// benchmark write is exactly one <c>POST /write</c> on a kept-alive connection: the client's leader
/// search and retries, which would hide a failure and add its own latency, never start.
/// </summary>
public sealed class WriteLoad(HttpClient http, Uri leader, WriteBodies bodies, int writes, int concurrency)
{
    /// <summary>One request per write, never a retry or a redirect: the benchmark measures single requests.</summary>
    public static readonly LeaderKvClientOptions OneRequestPerWrite = new() { MaxAttempts = 1 };

    private readonly LeaderKvClient _client = new([leader], http, OneRequestPerWrite);
    private int _next;
    private int _completed;

    /// <summary>Writes answered so far (success or not); read by the progress display while the load runs.</summary>
    public int Completed => Volatile.Read(ref _completed);

    public int Writes => writes;

    public async Task<LoadResult> RunAsync(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _next, 0) != 0 || Completed != 0)
        {
            throw new InvalidOperationException("A WriteLoad runs once; create another for the next pass.");
        }

        var samples = new WriteSample[writes];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var writers = Enumerable.Range(0, Math.Min(concurrency, writes))
            .Select(_ => Task.Run(() => WriterAsync(samples, started, token), token))
            .ToArray();
        await Task.WhenAll(writers).ConfigureAwait(false);
        var wall = Stopwatch.GetElapsedTime(started);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new LoadResult(samples, wall, clientCpu);
    }

    private async Task WriterAsync(WriteSample[] samples, long runStart, CancellationToken token)
    {
        while (true)
        {
            var sequence = Interlocked.Increment(ref _next) - 1;
            if (sequence >= writes)
            {
                return;
            }

            var key = bodies.KeyOf(sequence);
            var value = bodies.ValueJsonOf(sequence);
            var start = Stopwatch.GetTimestamp();
            var sample = await WriteAsync(key, value, token).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp();
            samples[sequence] = sample with
            {
                Sequence = sequence,
                Key = key,
                StartMs = Stopwatch.GetElapsedTime(runStart, start).TotalMilliseconds,
                LatencyMs = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds,
            };
            Interlocked.Increment(ref _completed);
        }
    }

    /// <summary>One write and what its answer said; the caller fills in sequence, key and timing.</summary>
    private async Task<WriteSample> WriteAsync(string key, string value, CancellationToken token)
    {
        try
        {
            var written = await _client.PutJsonAsync(key, value, token).ConfigureAwait(false);
            // Index 0 is no LeaderKV index (they start at 1): a node that answers as the seed does,
            // with status and quorum_met only, so its acks and quorum delay are unknown, not zero.
            return written.Index == 0
                ? new WriteSample { StatusCode = 200 }
                : new WriteSample { StatusCode = 200, Index = written.Index, Acks = written.Acks, QuorumDelayMs = written.QuorumDelay.TotalMilliseconds };
        }
        catch (LeaderKvOutcomeUnknownException unknown)
        {
            return new WriteSample { StatusCode = (int?)unknown.StatusCode ?? 0, Index = unknown.Index, Error = Describe(unknown) };
        }
        catch (LeaderKvException failed)
        {
            return new WriteSample { StatusCode = (int?)failed.StatusCode ?? 0, Error = Describe(failed) };
        }
    }

    private static string Describe(LeaderKvException failure) =>
        failure.StatusCode is { } status ? $"HTTP {(int)status}: {failure.Message}" : failure.Message;
}

/// <summary>Every write of one pass, the wall time from the first send to the last answer, and the client's CPU time.</summary>
public sealed record LoadResult(IReadOnlyList<WriteSample> Samples, TimeSpan Wall, TimeSpan ClientCpu);
