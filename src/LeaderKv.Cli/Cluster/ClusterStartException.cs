namespace LeaderKv.Cli.Cluster;

/// <summary>A node of a local cluster did not become healthy; carries the node's last output for the user.</summary>
public sealed class ClusterStartException(string message, NodeProcess? node = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string? NodeName { get; } = node?.Name;

    public string NodeOutput { get; } = node?.RecentOutput() ?? "";
}
