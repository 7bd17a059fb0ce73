using LeaderKv.Node.Transport;

namespace LeaderKv.TestSupport.Clusters;

/// <summary>
/// Which directed links between the nodes of one in-process cluster are cut, and which nodes are
/// held. Every node's <see cref="CutLink"/> consults it on each request, so a partition of any shape
/// (one-way too) takes effect at once, on pooled connections as well, and <see cref="Heal"/> undoes
/// it. A held node's requests, to it and from it, neither fail nor go out until it is released, as
/// with a process stopped by SIGSTOP; its own timers still run, which a stopped process's do not.
/// </summary>
public sealed class LinkCuts
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string From, string To)> _cut = [];
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>From now on, requests to and from <paramref name="node"/> wait (see <see cref="WhileHeldAsync"/>).</summary>
    public void Hold(string node)
    {
        lock (_gate)
        {
            _held.Add(node);
        }
    }

    /// <summary>Lets the requests held for <paramref name="node"/> go, late, in no particular order.</summary>
    public void Release(string node)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _held.Remove(node);
            released = _released;
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.SetResult();
    }

    public void ReleaseAll()
    {
        string[] held;
        lock (_gate)
        {
            held = [.. _held];
        }

        foreach (var node in held)
        {
            Release(node);
        }
    }

    /// <summary>Completes once neither end of the link is held; the sender's own token (its timeout, its shutdown) still ends the wait.</summary>
    public async Task WhileHeldAsync(string from, string to, CancellationToken token)
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                if (!_held.Contains(from) && !_held.Contains(to))
                {
                    return;
                }

                released = _released.Task;
            }

            await released.WaitAsync(token);
        }
    }
}

/// <summary>One node's view of <see cref="LinkCuts"/>: requests across a cut fail as an unreachable peer does; requests of a held node wait.</summary>
public sealed class CutLink(string self, LinkCuts cuts) : PeerLink
{
    public override HttpMessageHandler Wrap(string peer, HttpMessageHandler inner) => new CutHandler(self, peer, cuts) { InnerHandler = inner };

    private sealed class CutHandler(string from, string to, LinkCuts cuts) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await cuts.WhileHeldAsync(from, to, cancellationToken);
            return cuts.IsCut(from, to)
                ? throw new HttpRequestException($"test partition: {from} → {to} is cut")
                : await base.SendAsync(request, cancellationToken);
        }
    }
}
