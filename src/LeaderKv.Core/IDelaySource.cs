namespace LeaderKv.Core;

/// <summary>
/// The simulated network lag before an entry is sent to a follower (the seed's MIN_DELAY/MAX_DELAY).
/// An interface so tests can choose every delay and a seeded run can be replayed.
/// </summary>
public interface IDelaySource
{
    TimeSpan Next(int follower, long index);
}

/// <summary>Independent uniform delays in [min, max], as the seed draws them. Not thread-safe: callers serialise.</summary>
public sealed class UniformDelaySource(TimeSpan min, TimeSpan max, Random random) : IDelaySource
{
    public TimeSpan Next(int follower, long index) =>
        max <= min ? min : min + (max - min) * random.NextDouble();
}
