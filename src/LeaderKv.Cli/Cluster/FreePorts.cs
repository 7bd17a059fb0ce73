using System.Net;
using System.Net.Sockets;

namespace LeaderKv.Cli.Cluster;

/// <summary>
/// Finds consecutive free loopback ports for a local cluster (leader on the base, follower i on base + i),
/// so a benchmark never collides with a cluster `up` left on 8000.
/// </summary>
internal static class FreePorts
{
    private const int Attempts = 100;

    public static int FindConsecutive(int count)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var held = new List<TcpListener>();
            try
            {
                held.Add(Bind(0));
                var basePort = ((IPEndPoint)held[0].LocalEndpoint).Port;
                if (basePort + count > IPEndPoint.MaxPort)
                {
                    continue;
                }

                for (var port = basePort + 1; port < basePort + count; port++)
                {
                    held.Add(Bind(port));
                }

                return basePort;
            }
            catch (SocketException)
            {
                // Part of the run is taken: let the OS pick another base.
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

    private static TcpListener Bind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }
}
