namespace LeaderKv.Node.Configuration;

/// <summary>Security and input-limit variables; parsed by <see cref="SecuritySettings.Parse"/>.</summary>
public sealed partial class NodeOptions
{
    /// <summary>
    /// Shared secret every node of a cluster holds: the leader signs each replication request with
    /// it and followers refuse requests without a valid signature. At least 16 characters.
    /// </summary>
    [ConfigurationKeyName("CLUSTER_SECRET")]
    public string? ClusterSecret { get; init; }

    /// <summary>A file holding the cluster secret (e.g. a Docker or Kubernetes secret); surrounding whitespace is ignored.</summary>
    [ConfigurationKeyName("CLUSTER_SECRET_FILE")]
    public string? ClusterSecretFile { get; init; }

    /// <summary><c>true</c> lets a node without a cluster secret listen on a non-loopback address.</summary>
    [ConfigurationKeyName("ALLOW_INSECURE_REPLICATION")]
    public string? AllowInsecureReplication { get; init; }

    /// <summary>Client API keys, e.g. <c>key1:rw,key2:r</c>. Unset: the client API is open, as in the seed.</summary>
    [ConfigurationKeyName("API_KEYS")]
    public string? ApiKeys { get; init; }

    /// <summary>A file of API keys in the <c>API_KEYS</c> format, one or more per line; <c>#</c> starts a comment line.</summary>
    [ConfigurationKeyName("API_KEYS_FILE")]
    public string? ApiKeysFile { get; init; }

    /// <summary>Largest key accepted by <c>/write</c>, in UTF-8 bytes (default 1024).</summary>
    [ConfigurationKeyName("MAX_KEY_BYTES")]
    public string? MaxKeyBytes { get; init; }

    /// <summary>Largest value accepted by <c>/write</c>, in bytes of its JSON text (default 1 MiB).</summary>
    [ConfigurationKeyName("MAX_VALUE_BYTES")]
    public string? MaxValueBytes { get; init; }

    /// <summary>PEM file of the certificate authority the leader trusts for followers' HTTPS certificates.</summary>
    [ConfigurationKeyName("CLUSTER_CA_FILE")]
    public string? ClusterCaFile { get; init; }

    /// <summary>Most client connections served at once (default 1024); further connections are closed.</summary>
    [ConfigurationKeyName("MAX_CONNECTIONS")]
    public string? MaxConnections { get; init; }
}
