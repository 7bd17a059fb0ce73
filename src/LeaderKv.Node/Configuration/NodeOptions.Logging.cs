namespace LeaderKv.Node.Configuration;

/// <summary>How the node writes its log.</summary>
public sealed partial class NodeOptions
{
    /// <summary><c>text</c> (default: one readable line per event) or <c>json</c> (one JSON object per line).</summary>
    [ConfigurationKeyName("LOG_FORMAT")]
    public string? LogFormat { get; init; }
}
