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

        // Kestrel closes the connection after a body error: the rest of the body is unread.
        httpContext.Response.Headers.Connection = "close";
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RequestGuardMiddleware.RefuseBodyAsync(httpContext, httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize);
        }
        else
        {
            await Problems.BadRequest(bad.StatusCode, bad.Message).ExecuteAsync(httpContext);
        }

        return true;
    }
}
