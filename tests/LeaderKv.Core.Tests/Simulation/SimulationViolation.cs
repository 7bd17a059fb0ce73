namespace LeaderKv.Core.Tests.Simulation;

/// <summary>A property the checker asserts did not hold (or the core threw an invariant): the message carries the seed that replays it.</summary>
public sealed class SimulationViolation(string message) : Exception(message);
