namespace LeaderKv.Storage.State;

/// <summary>
/// The data directory was created for another cluster configuration (<c>PEERS</c> or
/// <c>WRITE_QUORUM</c>) than the one the node was started with. Not corruption: the files are
/// fine, the configuration is wrong for them, and running anyway could let quorums stop meeting.
/// </summary>
public sealed class ClusterFingerprintMismatchException(string dataDirectory, string stored, string configured)
    : InvalidOperationException(
        $"Data directory '{dataDirectory}' belongs to a cluster with fingerprint {stored} (a hash of PEERS and WRITE_QUORUM), " +
        $"but this node is configured with fingerprint {configured}. Start it with the PEERS and WRITE_QUORUM the directory was created with; " +
        "changing WRITE_QUORUM or membership on existing data needs the documented migration, because two nodes that disagree on " +
        "WRITE_QUORUM disagree on the election quorum and a committed write can be lost.")
{
    public string DataDirectory { get; } = dataDirectory;

    public string StoredFingerprint { get; } = stored;

    public string ConfiguredFingerprint { get; } = configured;
}
