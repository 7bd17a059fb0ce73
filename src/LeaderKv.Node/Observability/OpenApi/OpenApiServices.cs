using System.Reflection;
using Microsoft.OpenApi;

namespace LeaderKv.Node.Observability.OpenApi;

/// <summary>
/// <c>GET /openapi/v1.json</c> (Microsoft.AspNetCore.OpenApi, built from the endpoints' metadata at
/// run time, so it describes the routes this node really maps: a leader's and a follower's differ)
/// and <c>GET /docs</c>, a reference page rendered from that document by a small embedded script.
/// </summary>
public static class OpenApiServices
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";

    /// <summary>Every problem <c>type</c> the node answers with (see Problems.cs), for the document's description.</summary>
    private const string Description = """
        A replicated key-value store with one leader and N followers (semi-synchronous replication).
        Errors are RFC 9457 problem details (`application/problem+json`); their `type` is one of
        `https://leaderkv.dev/problems/{name}` with name: `not-leader` (400, with `leader`),
        `not-follower` (400), `quorum-not-met` (500, with `index`, `acks`, `required`: the write is
        durable on the leader and may still replicate), `malformed-json` (400), `validation` (400),
        `value-too-large` (413), `key-not-found` (404), `not-caught-up` (409, with `minIndex` and
        `appliedThrough`), `malformed-append` (400), `replication-unauthenticated` (401),
        `api-key-required` (401), `api-key-invalid` (401), `read-only-key` (403).
        """;

    internal static IServiceCollection AddNodeOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddOperationTransformer(RequestBodyDocs.DescribeAsync).AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "LeaderKV node",
                Version = typeof(OpenApiServices).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1",
                Description = Description,
            };
            return Task.CompletedTask;
        }));

    /// <summary>Maps the document and the reference page; neither needs an API key (they describe the API, not the data).</summary>
    public static WebApplication MapApiDescription(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet(ReferencePath, () => TypedResults.Text(ReferencePage.Html, "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }
}
