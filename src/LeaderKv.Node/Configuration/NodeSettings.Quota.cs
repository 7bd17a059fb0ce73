using System.Globalization;

namespace LeaderKv.Node.Configuration;

public sealed partial record NodeSettings
{
    /// <summary>
    /// The share of the memory available to the process (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>:
    /// the machine's, or the container's limit) that MAX_DATA_BYTES defaults to. The table is held in
    /// memory with per-key overhead on top of the bytes counted, the leader keeps a log tail of recent
    /// values beside it, and a snapshot copies the table: a quarter leaves room for all of that.
    /// </summary>
    public const double DefaultDataShareOfMemory = 0.25;

    /// <summary>MAX_DATA_BYTES: keys (UTF-8) plus values (JSON text) the leader lets the table hold; 0 means no quota.</summary>
    public long MaxDataBytes { get; init; } = DefaultMaxDataBytes();

    public static long DefaultMaxDataBytes() => (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * DefaultDataShareOfMemory);

    private static long ParseMaxDataBytes(string? text, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultMaxDataBytes();
        }

        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"MAX_DATA_BYTES must be a whole number of bytes ≥ 0 (0: no quota), got '{text}'.");
        return 0;
    }
}
