namespace LeaderKv.Node.Configuration;

/// <summary>Test-only switches for `leaderkv verify`; each is refused unless the node listens on loopback only.</summary>
public sealed partial class NodeOptions
{
    /// <summary><c>true</c> maps <c>/admin/faults</c>: drop or delay traffic to and from named peers (partitions without root).</summary>
    [ConfigurationKeyName("FAULT_INJECTION")]
    public string? FaultInjection { get; init; }

    /// <summary><c>true</c> breaks the node on purpose: <c>GET /kv/{key}</c> answers from a copy of the table up to a second old. Only to show that verify catches it.</summary>
    [ConfigurationKeyName("UNSAFE_TEST_STALE_READS")]
    public string? UnsafeTestStaleReads { get; init; }
}
