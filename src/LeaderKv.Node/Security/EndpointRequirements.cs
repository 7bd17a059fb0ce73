using Microsoft.AspNetCore.Http.Metadata;

namespace LeaderKv.Node.Security;

/// <summary>
/// What an endpoint demands of a request, declared where the endpoint is mapped and enforced by
/// <see cref="RequestGuardMiddleware"/> before the handler runs (and before any parameter binding
/// reads the body, which an endpoint filter would come too late for).
/// </summary>
public static class EndpointRequirements
{
    /// <summary>
    /// Every endpoint under this builder accepts only requests signed with the cluster secret.
    /// Map replication endpoints on one group that carries it, so a new one cannot be forgotten:
    /// <c>var replication = app.MapGroup("/replicate").RequireClusterAuthentication();</c>
    /// </summary>
    public static TBuilder RequireClusterAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ClusterAuthenticationRequired.Instance);

    /// <summary>When API keys are configured, the endpoint needs a bearer key granting <paramref name="access"/>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, ApiAccess access)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequired(access));

    /// <summary>The body must be declared JSON (<c>application/json</c> or <c>*+json</c>), else 415.</summary>
    public static TBuilder RequireJsonBody<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(JsonBodyRequired.Instance);

    /// <summary>A body larger than <paramref name="bytes"/> is answered 413 (below Kestrel's node-wide limit).</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));
}

public sealed class ClusterAuthenticationRequired
{
    public static readonly ClusterAuthenticationRequired Instance = new();

    private ClusterAuthenticationRequired()
    {
    }
}

public sealed record ApiKeyRequired(ApiAccess Access);

public sealed class JsonBodyRequired
{
    public static readonly JsonBodyRequired Instance = new();

    private JsonBodyRequired()
    {
    }
}

/// <summary>Routing applies <see cref="IRequestSizeLimitMetadata"/> to the request before any middleware after it reads the body.</summary>
public sealed record BodyLimit(long Bytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => Bytes;
}
