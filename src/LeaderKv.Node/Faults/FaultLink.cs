using LeaderKv.Node.Transport;

namespace LeaderKv.Node.Faults;

/// <summary>
/// The outgoing half of fault injection, through the transport's <see cref="PeerLink"/> seam: a
/// request to a dropped peer fails as an unreachable peer's does, one to a delayed peer waits first.
/// </summary>
internal sealed class FaultLink(FaultState faults, TimeProvider time) : PeerLink
{
    public override HttpMessageHandler Wrap(string peer, HttpMessageHandler inner) => new FaultHandler(peer, faults, time) { InnerHandler = inner };

    private sealed class FaultHandler(string peer, FaultState faults, TimeProvider time) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var plan = faults.Plan;
            if (plan.DelayFor(peer) is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                plan = faults.Plan;
            }

            return plan.Drop.Contains(peer)
                ? throw new HttpRequestException(HttpRequestError.ConnectionError, $"fault injection: traffic to {peer} is dropped")
                : await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
