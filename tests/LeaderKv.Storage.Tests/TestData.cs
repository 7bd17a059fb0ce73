using System.Text;
using LeaderKv.Core;
using LeaderKv.Storage.Recovery;
using LeaderKv.Storage.Wal;

namespace LeaderKv.Storage.Tests;

/// <summary>Entries, options and file surgery shared by the storage tests.</summary>
internal static class TestData
{
    public static LogEntry Entry(long index, string? key = null, string? json = null, long term = 1) =>
        new(index, term, key ?? $"key-{index % 7}", Encoding.UTF8.GetBytes(json ?? $"{{\"n\":{index}}}"));

    public static LogEntry[] Range(long first, long count) =>
        [.. Enumerable.Range(0, (int)count).Select(i => Entry(first + i))];

    /// <summary>Entries with ~1 KiB values, so a few thousand span several segments and checkpoints.</summary>
    public static LogEntry[] Padded(long first, long count) =>
        [.. Enumerable.Range(0, (int)count).Select(i => Entry(first + i, json: $"\"{new string('p', 1000)}{first + i}\""))];

    public static WriteAheadLogOptions Options(FsyncPolicy fsync = FsyncPolicy.Always, long segmentBytes = 64L * 1024 * 1024) =>
        new() { Fsync = fsync, SegmentSizeBytes = segmentBytes };

    public static string LogDirectory(TempDirectory dir) => dir.Sub(NodeRecovery.LogDirectoryName);

    /// <summary>Segment files oldest first.</summary>
    public static string[] Segments(TempDirectory dir) =>
        [.. Directory.GetFiles(LogDirectory(dir), "*" + LogRecordFormat.SegmentExtension).Order(StringComparer.Ordinal)];

    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var original = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(original ^ 0x5A));
    }

    public static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(length);
    }

    public static async Task<RecoveredNode> RecoverAndCloseAsync(TempDirectory dir, WriteAheadLogOptions? options = null)
    {
        var recovered = await NodeRecovery.RecoverAsync(dir.Path, options ?? Options(), CancellationToken.None);
        await recovered.Log.DisposeAsync();
        return recovered;
    }

    public static void AssertSameEntries(IEnumerable<LogEntry> expected, IEnumerable<LogEntry> actual)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        Assert.Equal(e.Count, a.Count);
        for (var i = 0; i < e.Count; i++)
        {
            Assert.Equal(e[i].Index, a[i].Index);
            Assert.Equal(e[i].Term, a[i].Term);
            Assert.True(e[i].SameWrite(a[i]), $"entry {e[i].Index} differs: {e[i]} / {a[i]}");
            Assert.Equal(e[i].Key, a[i].Key);
            Assert.Equal(e[i].Value.ToArray(), a[i].Value.ToArray());
        }
    }
}
