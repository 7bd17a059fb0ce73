using System.Net;

namespace LeaderKv.Client;

/// <summary>
/// A request the cluster did not answer with success. The subclasses say what a caller may do next:
/// <see cref="LeaderKvRejectedException"/> (nothing was written, a retry is safe) and
/// <see cref="LeaderKvOutcomeUnknownException"/> (the write may or may not survive: read before retrying)
/// are distinct types, and neither derives from the other.
/// </summary>
public class LeaderKvException : Exception
{
    public LeaderKvException(string message, Uri? node = null, HttpStatusCode? status = null, string? problemType = null, Exception? inner = null)
        : base(message, inner)
    {
        Node = node;
        StatusCode = status;
        ProblemType = problemType;
    }

    /// <summary>The node whose answer (or silence) ended the request, when there is one.</summary>
    public Uri? Node { get; }

    /// <summary>The node's HTTP status; null when no node answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The problem-details <c>type</c> URI of the answer, e.g. <c>…/not-caught-up</c>.</summary>
    public string? ProblemType { get; }
}

/// <summary>
/// The write did not enter any log: the node refused it (a 4xx: invalid key, value too large, no
/// permission) or no leader accepted it. Retrying is safe, though a 4xx will be refused again.
/// </summary>
public class LeaderKvRejectedException(string message, Uri? node = null, HttpStatusCode? status = null, string? problemType = null, Exception? inner = null)
    : LeaderKvException(message, node, status, problemType, inner);

/// <summary>
/// No leader could be found or reached within the retry budget (every node down, or an election that
/// did not end in time). For a write this means no node took it, so it is also a rejection: a retry is safe.
/// </summary>
public sealed class LeaderKvUnavailableException(string message, Uri? node = null, HttpStatusCode? status = null, string? problemType = null, Exception? inner = null)
    : LeaderKvRejectedException(message, node, status, problemType, inner);

/// <summary>
/// The write reached a leader but was not answered <c>committed</c>: the quorum did not ack in time,
/// the leader lost its leadership while it waited, or the connection broke after the write was sent.
/// It may or may not survive. Read the key (from the leader, or with <see cref="Index"/> as a minimum
/// index) before deciding to write again.
/// </summary>
public sealed class LeaderKvOutcomeUnknownException(
    string message, Uri node, long? index, long? term, HttpStatusCode? status = null, string? problemType = null, Exception? inner = null)
    : LeaderKvException(message, node, status, problemType, inner)
{
    /// <summary>The index the leader gave the write; null when no answer arrived.</summary>
    public long? Index { get; } = index;

    /// <summary>The term the write was proposed in; null when the node did not say.</summary>
    public long? Term { get; } = term;
}

/// <summary>
/// The write's condition (<see cref="WriteOptions.IfIndex"/>, <see cref="WriteOptions.CreateOnly"/>) did not
/// hold when the leader applied it: the write is committed with no effect, so nothing was changed. Read
/// the key again (its version is <see cref="CurrentIndex"/>) before deciding what to write.
/// </summary>
public sealed class LeaderKvConditionFailedException(string message, Uri node, long? index, long currentIndex, bool replayed, string? problemType = null)
    : LeaderKvException(message, node, HttpStatusCode.PreconditionFailed, problemType)
{
    /// <summary>The index of the write that failed its condition.</summary>
    public long? Index { get; } = index;

    /// <summary>The key's version the condition was checked against; 0 when the key did not exist.</summary>
    public long CurrentIndex { get; } = currentIndex;

    /// <summary>This is the answer to an earlier attempt with the same idempotency key.</summary>
    public bool Replayed { get; } = replayed;
}
