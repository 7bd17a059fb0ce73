using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace LeaderKv.Client.Tests.Support;

/// <summary>
/// A FakeTimeProvider that also reports each timer the code under test starts, so a test can see
/// the client waiting (and for how long) before it moves the fake clock: no real sleep, no race.
/// </summary>
internal sealed class RecordingTime : TimeProvider
{
    /// <summary>A hang guard only: the fake clock never moves on its own, so a missing wait would block forever.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        lock (Waits)
        {
            Waits.Add(dueTime);
        }

        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer started.</summary>
    public async Task<TimeSpan> NextWaitAsync() => await _timers.Reader.ReadAsync().AsTask().WaitAsync(Guard);

    /// <summary>Lets every wait of <paramref name="call"/> pass on the fake clock until the call completes.</summary>
    public async Task<T> RunAsync<T>(Task<T> call)
    {
        while (!call.IsCompleted)
        {
            var next = _timers.Reader.ReadAsync().AsTask();
            if (await Task.WhenAny(call, next).WaitAsync(Guard) == next)
            {
                Clock.Advance(await next);
            }
        }

        return await call;
    }
}
