using LeaderKv.Node.Transport;

namespace LeaderKv.TestSupport.Clusters;

/// <summary>
/// Which directed links between the nodes of one in-process cluster are cut. Every node's
/// <see cref="CutLink"/> consults it on each request, so a partition of any shape (one-way too)
/// takes effect at once, on pooled connections as well, and <see cref="Heal"/> undoes it.
/// </summary>
public sealed class LinkCuts
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string From, string To)> _cut = [];

    public bool IsCut(string from, string to)
    {
        lock (_gate)
        {
            return _cut.Contains((from, to));
        }
    }

    /// <summary>Cuts requests from <paramref name="from"/> to <paramref name="to"/> (and so their answers); the other direction stays up.</summary>
    public void CutOneWay(string from, string to)
    {
        lock (_gate)
        {
            _cut.Add((from, to));
        }
    }

    /// <summary>Cuts every link between two different sets, both ways.</summary>
    public void CutBetween(IEnumerable<string> side, IEnumerable<string> other)
    {
        var others = other.ToList();
        lock (_gate)
        {
            foreach (var a in side)
            {
                foreach (var b in others.Where(b => !string.Equals(a, b, StringComparison.Ordinal)))
                {
                    _cut.Add((a, b));
                    _cut.Add((b, a));
                }
            }
        }
    }

    public void Heal()
    {
        lock (_gate)
        {
            _cut.Clear();
        }
    }
}

/// <summary>One node's view of <see cref="LinkCuts"/>: requests across a cut fail as an unreachable peer does.</summary>
public sealed class CutLink(string self, LinkCuts cuts) : PeerLink
{
    public override HttpMessageHandler Wrap(string peer, HttpMessageHandler inner) => new CutHandler(self, peer, cuts) { InnerHandler = inner };

    private sealed class CutHandler(string from, string to, LinkCuts cuts) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            cuts.IsCut(from, to)
                ? throw new HttpRequestException($"test partition: {from} → {to} is cut")
                : base.SendAsync(request, cancellationToken);
    }
}
