namespace LeaderKv.Client;

/// <summary>How hard <see cref="LeaderKvClient"/> tries before it gives up, and how long it waits in between.</summary>
public sealed record LeaderKvClientOptions
{
    /// <summary>
    /// Requests one call may send, redirects and retries included. Ten covers an election of a
    /// six-node cluster (a not-leader answer, a few 503s, the new leader) with room to spare.
    /// </summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>The first wait after a round in which no node could lead; doubled after each further round.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The ceiling of the doubling: about one election timeout (ELECTION_TIMEOUT defaults to 1000 ms).</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <c>Retry-After</c> honoured as given; longer ones are cut to this so one call stays bounded.</summary>
    public TimeSpan RetryAfterMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times a write whose outcome was unknown is sent again (with the same Idempotency-Key, so it
    /// is never written twice) before <see cref="LeaderKvOutcomeUnknownException"/> reaches the caller.
    /// </summary>
    public int UnknownOutcomeRetries { get; init; } = 3;

    /// <summary>Sent as <c>Authorization: Bearer …</c> to nodes started with API_KEYS; null sends none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The clock the waits between retries run on; tests pass a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfNegative(UnknownOutcomeRetries, nameof(UnknownOutcomeRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffInitial, TimeSpan.Zero, nameof(BackoffInitial));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffMax, BackoffInitial, nameof(BackoffMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryAfterMax, TimeSpan.Zero, nameof(RetryAfterMax));
        ArgumentNullException.ThrowIfNull(Time, nameof(Time));
    }
}
