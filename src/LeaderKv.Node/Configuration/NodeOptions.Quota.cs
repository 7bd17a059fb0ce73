namespace LeaderKv.Node.Configuration;

/// <summary>The bound on the data a node holds.</summary>
public sealed partial class NodeOptions
{
    /// <summary>
    /// Bytes of keys and values the leader lets its table grow to; writes past it get 507. Default: a
    /// quarter of the memory available to the process; 0 turns the quota off.
    /// </summary>
    [ConfigurationKeyName("MAX_DATA_BYTES")]
    public string? MaxDataBytes { get; init; }
}
