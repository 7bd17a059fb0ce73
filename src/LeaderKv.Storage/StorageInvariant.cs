namespace LeaderKv.Storage;

/// <summary>
/// Always-on checks of the storage layer's own invariants. Unlike <c>Debug.Assert</c> they stay
/// in Release builds: a broken invariant here means the log or a snapshot could be wrong on
/// disk, which is worse than stopping.
/// </summary>
internal static class StorageInvariant
{
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Storage invariant violated: " + message);
        }
    }
}
