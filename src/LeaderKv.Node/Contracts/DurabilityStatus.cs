using System.Text.Json.Serialization;

namespace LeaderKv.Node.Contracts;

/// <summary>
/// The <c>durability</c> part of <c>/status</c>: where the node keeps its data, how far its
/// snapshots and log reach, and what recovery found at start-up (a repaired tail is reported
/// here and in the node's log, never silently).
/// </summary>
public sealed record DurabilityStatus(
    [property: JsonPropertyName("dataDir")] string? DataDir,
    [property: JsonPropertyName("fsync")] string? Fsync,
    [property: JsonPropertyName("snapshotIndex")] long SnapshotIndex,
    [property: JsonPropertyName("snapshotsInstalled")] long SnapshotsInstalled,
    [property: JsonPropertyName("logFirstIndex")] long LogFirstIndex,
    [property: JsonPropertyName("logLastIndex")] long LogLastIndex,
    [property: JsonPropertyName("logAppends")] long LogAppends,
    [property: JsonPropertyName("logFsyncs")] long LogFsyncs,
    [property: JsonPropertyName("tailRepaired")] bool TailRepaired,
    [property: JsonPropertyName("recovery")] string? Recovery);
