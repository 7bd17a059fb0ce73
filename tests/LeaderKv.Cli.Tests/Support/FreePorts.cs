using System.Net;
using System.Net.Sockets;

namespace LeaderKv.Cli.Tests.Support;

/// <summary>Finds runs of free loopback ports, since a local cluster takes consecutive ports from a base.</summary>
internal static class FreePorts
{
    private const int Attempts = 100;

    /// <summary>
    /// A base port such that base..base+count-1 were all free a moment ago. The OS picks the base (port 0),
    /// so parallel test runs rarely collide; the rest of the run is checked by binding it.
    /// </summary>
    public static int FindConsecutive(int count)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var held = new List<TcpListener>();
            try
            {
                var first = Bind(0);
                held.Add(first);
                var basePort = ((IPEndPoint)first.LocalEndpoint).Port;
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
                // One of the run was taken: try another base.
            }
            finally
            {
                foreach (var listener in held)
                {
                    listener.Stop();
                    listener.Dispose();
                }
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports found in {Attempts} attempts.");
    }

    private static TcpListener Bind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }
}
