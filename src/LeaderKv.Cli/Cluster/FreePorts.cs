using System.Net;
using System.Net.Sockets;

namespace LeaderKv.Cli.Cluster;

/// <summary>
/// Finds consecutive free loopback ports for a local cluster (leader on the base, follower i on base + i),
/// so a benchmark never collides with a cluster `up` left on 8000. The ports are taken from below the
/// kernel's ephemeral range: a port the kernel hands out for port 0 can be handed out again, between our
/// check and the node's bind, as the source port of any outgoing connection on the machine (a previous
/// cluster's replication traffic did exactly that), whereas ports below the range are never assigned.
/// </summary>
internal static class FreePorts
{
    private const int Attempts = 200;

    /// <summary>Stay clear of the well-known and registered ports services commonly use.</summary>
    private const int Floor = 10_000;

    /// <summary>Linux's default ephemeral range starts here; read from /proc when available.</summary>
    private const int DefaultEphemeralLow = 32_768;

    public static int FindConsecutive(int count)
    {
        var ceiling = EphemeralLow() - count;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var basePort = Random.Shared.Next(Floor, Math.Max(Floor + 1, ceiling));
            var held = new List<TcpListener>();
            try
            {
                for (var port = basePort; port < basePort + count; port++)
                {
                    held.Add(Bind(port));
                }

                return basePort;
            }
            catch (SocketException)
            {
                // Part of the run is taken: try another base.
            }
            finally
            {
                foreach (var listener in held)
                {
                    listener.Dispose();
                }
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free loopback ports found in {Attempts} attempts.");
    }

    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out var low) && low > Floor ? low : DefaultEphemeralLow;
        }
        catch (IOException)
        {
            return DefaultEphemeralLow;
        }
        catch (UnauthorizedAccessException)
        {
            return DefaultEphemeralLow;
        }
    }

    private static TcpListener Bind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }
}
