using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LeaderKv.Node.Observability.OpenApi;

/// <summary>
/// Documents a request body that the handler reads by hand (so ASP.NET Core cannot infer it).
/// Deliberately not <c>Accepts&lt;T&gt;()</c>: that metadata also makes routing answer 415 to other
/// content types, which would change what a follower's <c>/write</c> answers; this one only feeds the document.
/// </summary>
public sealed record RequestBodyDescription(Type Schema, string ContentType);

public static class RequestBodyDocs
{
    public static RouteHandlerBuilder WithRequestBody<TSchema>(this RouteHandlerBuilder builder, string contentType) =>
        builder.WithMetadata(new RequestBodyDescription(typeof(TSchema), contentType));

    internal static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken token)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBodyDescription>().FirstOrDefault() is not { } body)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(body.Schema, null, token);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = schema } },
        };
    }
}
