namespace LeaderKv.Node.Transport;

/// <summary>
/// A seam in the path from this node to each peer, for tests that cut links (partitions of any
/// shape) without touching sockets: register one in the node's services and every peer transport
/// is built through <see cref="Wrap"/>. Production nodes have none.
/// </summary>
public abstract class PeerLink
{
    /// <summary>Returns the handler to use for requests to <paramref name="peer"/>, usually a <see cref="DelegatingHandler"/> around <paramref name="inner"/>.</summary>
    public abstract HttpMessageHandler Wrap(string peer, HttpMessageHandler inner);
}
