using System.Net;
using LeaderKv.Node.Configuration;
using Microsoft.AspNetCore.Http.Features;

namespace LeaderKv.Node.Security;

/// <summary>
/// Enforces what <see cref="EndpointRequirements"/> declared on the matched endpoint, cheapest
/// check first: who is asking (401/403), how much they send (413), in what format (415). Runs
/// after routing and before the handler, so no handler sees a request that fails any of them.
/// </summary>
internal sealed class RequestGuardMiddleware(RequestDelegate next, NodeSettings settings, TimeProvider time, ILogger<RequestGuardMiddleware> logger)
{
    private readonly SecuritySettings _security = settings.Security;

    public async Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata is null)
        {
            await next(context);
            return;
        }

        if (metadata.GetMetadata<ClusterAuthenticationRequired>() is not null && !await AuthenticateReplicationAsync(context))
        {
            return;
        }

        if (metadata.GetMetadata<ApiKeyRequired>() is { } apiKey && _security.ApiKeys is { } keys && !await AuthorizeClientAsync(context, keys, apiKey.Access))
        {
            return;
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (context.Request.ContentLength > limit)
        {
            // Refused from the declared length alone, before a byte of the body is read.
            await RefuseBodyAsync(context, limit);
            return;
        }

        if (metadata.GetMetadata<JsonBodyRequired>() is not null && !context.Request.HasJsonContentType())
        {
            await Problems.UnsupportedMediaType(context.Request.ContentType).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private async Task<bool> AuthenticateReplicationAsync(HttpContext context)
    {
        var request = context.Request;
        if (_security.ClusterSecret is not { } secret)
        {
            // No secret: only this machine may replicate, unless the operator opted out (see ReplicationExposureRule).
            if (_security.AllowInsecureReplication || IsLoopback(context.Connection.RemoteIpAddress))
            {
                return true;
            }

            return await RejectAsync(context, "this node has no CLUSTER_SECRET and accepts replication only from its own machine");
        }

        var header = request.Headers[ClusterSecret.HeaderName].Count == 1 ? request.Headers[ClusterSecret.HeaderName][0] : null;
        var now = time.GetUtcNow();
        var freshness = ClusterSecret.CheckFreshness(header, now);
        if (freshness != SignatureCheck.Valid)
        {
            return await RejectAsync(context, Explain(freshness));
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            await RefuseBodyAsync(context, limit);
            return false;
        }

        // The signature covers the body, so it is read here once (bounded by the body limit) and
        // handed on to the handler from memory.
        var body = new MemoryStream((int)Math.Min(request.ContentLength ?? 0, 1 << 20));
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.PathBase}{request.Path}{request.QueryString}";
        var check = secret.Verify(header, now, request.Method, target, body.GetBuffer().AsSpan(0, (int)body.Length));
        if (check != SignatureCheck.Valid)
        {
            return await RejectAsync(context, Explain(check));
        }

        body.Position = 0;
        request.Body = body;
        return true;
    }

    /// <summary>
    /// Answers 413 and closes the connection: the unread body is still on its way, and Kestrel
    /// will not drain more than the limit, so a client that reused the connection would find it
    /// cut off under its next request.
    /// </summary>
    internal static async Task RefuseBodyAsync(HttpContext context, long? limit)
    {
        context.Response.Headers.Connection = "close";
        await Problems.BodyTooLarge(limit).ExecuteAsync(context);
    }

    private async Task<bool> RejectAsync(HttpContext context, string reason)
    {
        logger.ReplicationRejected(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", context.Request.Path, reason);
        await Problems.ReplicationUnauthenticated(reason).ExecuteAsync(context);
        return false;
    }

    private static async Task<bool> AuthorizeClientAsync(HttpContext context, ApiKeyRing keys, ApiAccess required)
    {
        var authorization = context.Request.Headers.Authorization;
        const string Scheme = "Bearer ";
        var value = authorization.Count == 1 ? authorization[0] : null;
        if (value is null || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value.Length == Scheme.Length)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"leaderkv\"";
            await Problems.ApiKeyMissing().ExecuteAsync(context);
            return false;
        }

        var granted = keys.Authenticate(value[Scheme.Length..].Trim());
        if (granted is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"leaderkv\", error=\"invalid_token\"";
            await Problems.ApiKeyInvalid().ExecuteAsync(context);
            return false;
        }

        if (required == ApiAccess.ReadWrite && granted != ApiAccess.ReadWrite)
        {
            await Problems.ReadOnlyKey().ExecuteAsync(context);
            return false;
        }

        return true;
    }

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string Explain(SignatureCheck check) => check switch
    {
        SignatureCheck.Missing => $"the {ClusterSecret.HeaderName} header is missing",
        SignatureCheck.Malformed => $"the {ClusterSecret.HeaderName} header is malformed",
        SignatureCheck.Expired => $"the signature's timestamp is more than {ClusterSecret.MaxClockSkew.TotalSeconds} s from this node's clock",
        _ => "the signature does not match (is CLUSTER_SECRET the same on every node?)",
    };
}
