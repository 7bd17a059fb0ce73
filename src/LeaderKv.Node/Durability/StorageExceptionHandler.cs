using LeaderKv.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace LeaderKv.Node.Durability;

/// <summary>
/// The last line: a storage failure that reaches a request (the driver handles them, so none should)
/// is answered as a problem, 507 when the disk is full and 503 otherwise (the node stops on any other
/// storage failure), never as the framework's generic 500.
/// </summary>
internal sealed class StorageExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (IOException or UnauthorizedAccessException) || exception is BadHttpRequestException || httpContext.Response.HasStarted)
        {
            return false;
        }

        await Problems.StorageFailed(StorageFullException.IsOutOfSpace(exception)).ExecuteAsync(httpContext);
        return true;
    }
}
