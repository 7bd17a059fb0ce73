using System.Text.Json;

namespace LeaderKv.Node.Endpoints;

/// <summary>
/// A JSON response written straight to the body. Stored values are raw JSON text, so they are
/// copied through as they are instead of being parsed and re-serialised.
/// </summary>
internal sealed class RawJsonResult(Action<Utf8JsonWriter> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, new JsonWriterOptions { SkipValidation = true }))
        {
            write(writer);
        }

        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
