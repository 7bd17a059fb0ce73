namespace LeaderKv.Linearizability;

public enum OperationKind
{
    Read,
    Write,
    CompareAndSet,
}

/// <summary>What the client learned about an operation.</summary>
public enum Outcome
{
    /// <summary>It took effect (or, for a read, observed <see cref="Operation.Value"/>); a compare-and-set says whether it swapped.</summary>
    Ok,

    /// <summary>It had no effect and observed nothing (rejected, or a read that got no answer): the checker leaves it out.</summary>
    Failed,

    /// <summary>It may have taken effect at any point after its invocation, or never: its completion is taken as +∞.</summary>
    Unknown,
}

/// <summary>
/// One client operation on one key of a register store. Values are compared as opaque strings
/// (the JSON text a client wrote); <c>null</c> is "the key does not exist".
/// </summary>
public sealed record Operation
{
    /// <summary>Unique within a history; explanations name operations by it.</summary>
    public required int Id { get; init; }

    public required int Client { get; init; }

    public required string Key { get; init; }

    public required OperationKind Kind { get; init; }

    /// <summary>A write's value, a compare-and-set's new value, or the value a read observed (null: absent).</summary>
    public string? Value { get; init; }

    /// <summary>A compare-and-set's expected current value (null: expects the key to be absent).</summary>
    public string? Expected { get; init; }

    /// <summary>For an <see cref="Outcome.Ok"/> compare-and-set: true when it swapped, false when its condition failed (it wrote nothing but observed the value was not <see cref="Expected"/>).</summary>
    public bool Swapped { get; init; }

    public required Outcome Outcome { get; init; }

    /// <summary>When the client sent it, on any monotonic scale shared by the whole history.</summary>
    public required long InvokedAt { get; init; }

    /// <summary>When the client got its answer; null for <see cref="Outcome.Unknown"/>, which never completes.</summary>
    public long? CompletedAt { get; init; }

    /// <summary>The operation as a line of an explanation.</summary>
    public override string ToString()
    {
        var what = Kind switch
        {
            OperationKind.Read => $"read → {Show(Value)}",
            OperationKind.Write => $"write {Show(Value)}",
            _ => $"cas {Show(Expected)} → {Show(Value)}" + (Outcome == Outcome.Ok ? (Swapped ? " (swapped)" : " (condition failed)") : string.Empty),
        };
        var done = CompletedAt is { } completed ? completed.ToString(System.Globalization.CultureInfo.InvariantCulture) : "∞";
        return $"#{Id} client {Client} {what} [{InvokedAt}, {done}] {Outcome.ToString().ToLowerInvariant()}";
    }

    private static string Show(string? value) => value ?? "(absent)";
}
