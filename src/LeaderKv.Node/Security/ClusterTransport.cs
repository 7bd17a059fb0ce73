using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using LeaderKv.Node.Configuration;
using LeaderKv.Node.Transport;

namespace LeaderKv.Node.Security;

/// <summary>
/// The leader's HTTP stack towards one follower: pooled sockets, the cluster CA for https://
/// followers, and a signature on every request when a cluster secret is set. Every request sent
/// through it is signed, so catch-up or snapshot calls added later are covered without asking.
/// </summary>
public static class ClusterTransport
{
    public static HttpMessageHandler CreateHandler(SecuritySettings security, TimeProvider time, int maxConnections)
    {
        var sockets = PeerTransport.CreateHandler(maxConnections);
        if (security.ClusterCa is { } ca)
        {
            sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrusted(certificate, chain, errors, ca);
        }

        return security.ClusterSecret is { } secret
            ? new ClusterSigningHandler(secret, time) { InnerHandler = sockets }
            : sockets;
    }

    /// <summary>
    /// Accepts what the system trusts, and otherwise a chain that ends in one of the cluster CA's
    /// certificates. A name mismatch is never forgiven: the CA vouches for a host, not for any host.
    /// </summary>
    public static bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection ca)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        // A private cluster CA publishes no revocation lists; rotate the CA to revoke.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var loaded = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(loaded ?? (X509Certificate2)certificate);
    }
}

/// <summary>Signs each outgoing request (method, target, body, time) with the cluster secret.</summary>
internal sealed class ClusterSigningHandler(ClusterSecret secret, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var signature = secret.Sign(time.GetUtcNow(), request.Method.Method, request.RequestUri!.PathAndQuery, body);
        request.Headers.Remove(ClusterSecret.HeaderName);
        request.Headers.TryAddWithoutValidation(ClusterSecret.HeaderName, signature);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
