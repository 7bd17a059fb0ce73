namespace LeaderKv.TestSupport;

/// <summary>
/// Waits on observable state instead of sleeping a guessed amount: polls a condition until it holds,
/// and fails the test with what it waited for once the deadline has passed. The deadline only bounds
/// failure; a wait that succeeds takes as long as the condition needs, plus at most one poll interval.
/// </summary>
public static class Eventually
{
    /// <summary>The pause between two polls when the caller names none.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="pollInterval"/> until it holds; it is
    /// asked once more after the deadline before the test fails. <paramref name="explain"/>, when given,
    /// adds what was last seen to the failure message.
    /// </summary>
    public static async Task WaitUntilAsync(
        Func<Task<bool>> condition,
        TimeSpan deadline,
        string what,
        Func<string>? explain = null,
        TimeSpan? pollInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        var interval = pollInterval ?? DefaultPollInterval;
        using var expired = new CancellationTokenSource(deadline);
        while (!await condition())
        {
            if (expired.IsCancellationRequested)
            {
                Assert.Fail($"Timed out after {deadline.TotalSeconds:0.#} s waiting for {what}{(explain is null ? string.Empty : $"; last seen: {explain()}")}");
            }

            await Task.Delay(interval, CancellationToken.None);
        }
    }

    /// <summary>As <see cref="WaitUntilAsync(Func{Task{bool}}, TimeSpan, string, Func{string}?, TimeSpan?)"/>, for a condition that needs no I/O.</summary>
    public static Task WaitUntilAsync(
        Func<bool> condition,
        TimeSpan deadline,
        string what,
        Func<string>? explain = null,
        TimeSpan? pollInterval = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), deadline, what, explain, pollInterval);
}
