using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace LeaderKv.Node.Security;

/// <summary>
/// Kestrel reports a request it gives up on while a handler reads the body (too large, sent too
/// slowly, bad chunking) as a <see cref="BadHttpRequestException"/> carrying the right 4xx. That is
/// the client's mistake, not ours: answer it as a problem with that status, never as a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var problem = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? Problems.BodyTooLarge(httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
            : Problems.BadRequest(bad.StatusCode, bad.Message);
        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
