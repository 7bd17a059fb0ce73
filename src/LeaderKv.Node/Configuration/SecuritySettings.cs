using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LeaderKv.Node.Security;

namespace LeaderKv.Node.Configuration;

/// <summary>Who may talk to the node and how much they may send: parsed once, typed, validated.</summary>
public sealed record SecuritySettings
{
    public const int DefaultMaxKeyBytes = 1024;

    public const int DefaultMaxValueBytes = 1024 * 1024;

    public const int DefaultMaxConnections = 1024;

    /// <summary>Keys past this would not fit a <c>/kv/{key}</c> request line, and no sane key is this long.</summary>
    public const int KeyBytesCeiling = 64 * 1024;

    /// <summary>Values are held in memory on every node and resent whole by catch-up; beyond this a store of files fits better.</summary>
    public const int ValueBytesCeiling = 64 * 1024 * 1024;

    /// <summary>
    /// Room in a <c>/write</c> body beyond the escaped key and the value: whitespace, field names,
    /// and fields the seed's clients may add.
    /// </summary>
    private const long WriteBodySlack = 64 * 1024;

    /// <summary>Null: replication is unauthenticated (allowed only as <see cref="ReplicationExposureRule"/> says).</summary>
    public ClusterSecret? ClusterSecret { get; init; }

    public bool AllowInsecureReplication { get; init; }

    /// <summary>Null: the client API needs no key, as in the seed.</summary>
    public ApiKeyRing? ApiKeys { get; init; }

    public int MaxKeyBytes { get; init; } = DefaultMaxKeyBytes;

    public int MaxValueBytes { get; init; } = DefaultMaxValueBytes;

    /// <summary>Extra roots the leader trusts for followers' HTTPS certificates (a private cluster CA).</summary>
    public X509Certificate2Collection? ClusterCa { get; init; }

    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>
    /// Body limit of <c>/write</c>: a key escaped as <c>\uXXXX</c> takes up to 6 bytes per UTF-8
    /// byte, the value counts as sent. A larger body is refused (413) before it is read.
    /// </summary>
    public long MaxWriteBodyBytes => 6L * MaxKeyBytes + MaxValueBytes + WriteBodySlack;

    /// <summary>
    /// Body limit of replication requests, and Kestrel's overall limit. A batch is cut at 4 MiB of
    /// entries (a larger entry travels alone); on the wire an entry costs at most three times its
    /// in-memory size (escaped key characters) plus field names and numbers.
    /// </summary>
    public long MaxReplicationBodyBytes => Math.Max(NodeHost.MaxRequestBodyBytes, 3L * (2L * MaxKeyBytes + MaxValueBytes + 32) + 64 * 1024);

    /// <summary>Reads the security variables; every problem is added to <paramref name="errors"/>, naming its variable.</summary>
    public static SecuritySettings Parse(NodeOptions options, List<string> errors)
    {
        var secretText = ReadValueOrFile("CLUSTER_SECRET", options.ClusterSecret, options.ClusterSecretFile, errors);
        ClusterSecret? secret = null;
        if (secretText is not null)
        {
            if (secretText.Length < ClusterSecret.MinLength)
            {
                errors.Add($"CLUSTER_SECRET must be at least {ClusterSecret.MinLength} characters (e.g. `openssl rand -hex 32`), got {secretText.Length}.");
            }
            else
            {
                secret = new ClusterSecret(secretText);
            }
        }

        var keysText = ReadValueOrFile("API_KEYS", options.ApiKeys, options.ApiKeysFile, errors);
        ApiKeyRing? keys = null;
        if (keysText is not null)
        {
            keys = ApiKeyRing.Parse(keysText, out var keyError);
            if (keyError is not null)
            {
                errors.Add($"API_KEYS: {keyError}");
            }
        }

        return new SecuritySettings
        {
            ClusterSecret = secret,
            AllowInsecureReplication = ParseBool("ALLOW_INSECURE_REPLICATION", options.AllowInsecureReplication, errors),
            ApiKeys = keys,
            MaxKeyBytes = ParseBounded("MAX_KEY_BYTES", options.MaxKeyBytes, DefaultMaxKeyBytes, KeyBytesCeiling, errors),
            MaxValueBytes = ParseBounded("MAX_VALUE_BYTES", options.MaxValueBytes, DefaultMaxValueBytes, ValueBytesCeiling, errors),
            ClusterCa = LoadCa(options.ClusterCaFile, errors),
            MaxConnections = ParseBounded("MAX_CONNECTIONS", options.MaxConnections, DefaultMaxConnections, 1_000_000, errors),
        };
    }

    /// <summary>The value from <c>NAME</c> or from the file named by <c>NAME_FILE</c>; never both.</summary>
    private static string? ReadValueOrFile(string name, string? value, string? file, List<string> errors)
    {
        var hasValue = !string.IsNullOrWhiteSpace(value);
        var hasFile = !string.IsNullOrWhiteSpace(file);
        if (hasValue && hasFile)
        {
            errors.Add($"{name} and {name}_FILE are both set; set one of them.");
            return null;
        }

        if (hasValue)
        {
            return value!.Trim();
        }

        if (!hasFile)
        {
            return null;
        }

        try
        {
            var text = File.ReadAllText(file!.Trim()).Trim();
            if (text.Length == 0)
            {
                errors.Add($"{name}_FILE names '{file}', which is empty.");
                return null;
            }

            return text;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add($"{name}_FILE names '{file}', which cannot be read: {exception.Message}");
            return null;
        }
    }

    private static X509Certificate2Collection? LoadCa(string? file, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(file.Trim());
            if (certificates.Count == 0)
            {
                errors.Add($"CLUSTER_CA_FILE names '{file}', which holds no PEM certificate.");
                return null;
            }

            return certificates;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            errors.Add($"CLUSTER_CA_FILE names '{file}', which cannot be read as PEM certificates: {exception.Message}");
            return null;
        }
    }

    private static bool ParseBool(string name, string? text, List<string> errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "0" or "no":
                return false;
            case "true" or "1" or "yes":
                return true;
            default:
                errors.Add($"{name} must be 'true' or 'false', got '{text}'.");
                return false;
        }
    }

    private static int ParseBounded(string name, string? text, int fallback, int ceiling, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add($"{name} must be an integer, got '{text}'.");
            return fallback;
        }

        if (value < 1 || value > ceiling)
        {
            errors.Add($"{name} must be between 1 and {ceiling}, got {value}.");
            return fallback;
        }

        return value;
    }
}
