using System.Diagnostics;
using System.Net.Http.Headers;

namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// The seed's load, done with async writers instead of threads: <c>concurrency</c> writers take the
/// next write number from a shared counter until <c>writes</c> have been sent, so at most
/// <c>concurrency</c> writes are in flight, as with benchmark.py's ThreadPoolExecutor.
/// </summary>
public sealed class WriteLoad(HttpClient http, Uri leader, WriteBodies bodies, int writes, int concurrency)
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private readonly Uri _writeUrl = new(leader, "write");
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
        var body = new byte[bodies.MaxLength];
        var reply = new byte[1024];
        while (true)
        {
            var sequence = Interlocked.Increment(ref _next) - 1;
            if (sequence >= writes)
            {
                return;
            }

            var length = bodies.Format(sequence, body);
            var content = new ByteArrayContent(body, 0, length);
            content.Headers.ContentType = JsonContentType;
            using var request = new HttpRequestMessage(HttpMethod.Post, _writeUrl) { Content = content };
            var start = Stopwatch.GetTimestamp();
            int status = 0;
            string? error = null;
            WriteReply parsed = default;
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token)
                    .ConfigureAwait(false);
                status = (int)response.StatusCode;
                (reply, var read) = await ReadBodyAsync(response, reply, token).ConfigureAwait(false);
                var failed = status != 200;
                parsed = WriteReply.Parse(reply.AsSpan(0, read), wantDetail: failed);
                if (failed)
                {
                    error = $"HTTP {status}: {parsed.Detail ?? "no detail"}";
                }
            }
            catch (HttpRequestException ex)
            {
                error = ex.Message;
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                error = $"no answer within {http.Timeout.TotalSeconds:0} s";
            }

            var end = Stopwatch.GetTimestamp();
            samples[sequence] = new WriteSample(
                sequence,
                bodies.KeyOf(sequence),
                Stopwatch.GetElapsedTime(runStart, start).TotalMilliseconds,
                Stopwatch.GetElapsedTime(start, end).TotalMilliseconds,
                status,
                parsed.Index,
                parsed.Acks,
                parsed.QuorumDelayMs,
                error);
            Interlocked.Increment(ref _completed);
        }
    }

    /// <summary>Reads the whole answer into the writer's own buffer, growing it only for an unusually long body.</summary>
    private static async ValueTask<(byte[] Buffer, int Length)> ReadBodyAsync(
        HttpResponseMessage response, byte[] buffer, CancellationToken token)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(total), token).ConfigureAwait(false);
            if (read == 0)
            {
                return (buffer, total);
            }

            total += read;
        }
    }
}

/// <summary>Every write of one pass, the wall time from the first send to the last answer, and the client's CPU time.</summary>
public sealed record LoadResult(IReadOnlyList<WriteSample> Samples, TimeSpan Wall, TimeSpan ClientCpu);
