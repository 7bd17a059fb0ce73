namespace LeaderKv.Core;

/// <summary>
/// Always-on assertions for states that must never happen. Unlike <c>Debug.Assert</c> they stay in
/// Release builds: a replica that has broken an invariant must stop rather than serve wrong data.
/// </summary>
public static class Invariant
{
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolationException(message);
        }
    }
}

/// <summary>A bug, not an expected outcome: the host treats it as fatal.</summary>
public sealed class InvariantViolationException(string message) : Exception(message);
