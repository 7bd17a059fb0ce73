namespace LeaderKv.Node.Configuration;

public sealed partial record NodeSettings
{
    /// <summary>FAULT_INJECTION: the node serves <c>/admin/faults</c> (loopback-only nodes).</summary>
    public bool FaultInjection { get; init; }

    /// <summary>UNSAFE_TEST_STALE_READS: single-key reads come from a stale copy of the table (a deliberate bug; loopback-only nodes).</summary>
    public bool UnsafeTestStaleReads { get; init; }

    /// <summary>True when a switch that only a test may use is on, which the host allows only on loopback.</summary>
    public bool HasTestSwitches => FaultInjection || UnsafeTestStaleReads;
}
