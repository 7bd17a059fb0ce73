using System.Net;

namespace LeaderKv.Node.Transport;

/// <summary>
/// A request body produced by a callback as it is sent (chunked), so a snapshot of any size
/// streams from the table copy or the snapshot file to the socket without being buffered whole.
/// </summary>
internal sealed class SnapshotContent(Func<Stream, CancellationToken, Task> write) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        write(stream, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        write(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
