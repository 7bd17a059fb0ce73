using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace LeaderKv.Node.Security;

/// <summary>Kestrel's limits for a node that may face untrusted clients, each with its reason.</summary>
internal static class KestrelHardening
{
    /// <summary>A client gets this long to send its request headers; a slow-headers client cannot hold a connection for Kestrel's default 30 s.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    public static void Apply(KestrelServerOptions kestrel, SecuritySettings security)
    {
        // The node-wide ceiling is the largest legitimate request, a replication batch; client
        // endpoints declare smaller limits of their own (EndpointRequirements.WithBodyLimit).
        kestrel.Limits.MaxRequestBodySize = security.MaxReplicationBodyBytes;
        // Each connection costs buffers and a slot in the thread pool's work; past this many,
        // new connections are closed rather than slowing every client down.
        kestrel.Limits.MaxConcurrentConnections = security.MaxConnections;
        kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
        // The Server header tells an attacker which stack to target and tells a client nothing.
        kestrel.AddServerHeader = false;
    }
}
