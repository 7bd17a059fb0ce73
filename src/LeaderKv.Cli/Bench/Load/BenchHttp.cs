using System.Net;

namespace LeaderKv.Cli.Bench.Load;

/// <summary>
/// The benchmark's HTTP client: one pooled connection per concurrent writer, kept for the whole run,
/// so the client measures the store and not TCP handshakes (the seed's client opened one per write).
/// </summary>
public static class BenchHttp
{
    /// <summary>Margin on top of the slowest simulated quorum before the client gives up on a write.</summary>
    private static readonly TimeSpan TimeoutMargin = TimeSpan.FromSeconds(30);

    public static HttpClient Create(int concurrency, TimeSpan maxDelay)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        return new HttpClient(handler)
        {
            Timeout = maxDelay + TimeoutMargin,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }
}
