using System.Text.Json;

namespace LeaderKv.Node.Endpoints;

internal static class RequestBody
{
    /// <summary>Deeper nesting than this is refused before it can cost stack or CPU.</summary>
    public const int MaxJsonDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxJsonDepth };

    /// <summary>Parses the body as JSON; the error is a sentence for the client when it is not.</summary>
    public static async Task<(JsonDocument? Document, string? Error)> ReadJsonAsync(HttpRequest request, CancellationToken token)
    {
        try
        {
            return (await JsonDocument.ParseAsync(request.Body, Options, token), null);
        }
        catch (JsonException exception)
        {
            return (null, exception.Message);
        }
    }
}
