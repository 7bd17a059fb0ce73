using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LeaderKv.Node.Security;

/// <summary>
/// The cluster's shared secret, and the HMAC-SHA256 signature the leader puts on every replication
/// request with it: <c>X-LeaderKv-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c> over
/// <c>"{t}\n{METHOD}\n{request target}\n"</c> followed by the body bytes. Signing the body (not
/// just presenting a token) means a captured request cannot be altered, and the timestamp bounds
/// how long it can be replayed. The secret never leaves the node: only signatures travel.
/// </summary>
public sealed class ClusterSecret
{
    public const string HeaderName = "X-LeaderKv-Signature";

    /// <summary>Shorter secrets are refused at start-up: an HMAC key is only as strong as its guessability.</summary>
    public const int MinLength = 16;

    /// <summary>
    /// How far a signature's timestamp may be from the follower's clock, either way. Nodes' clocks
    /// agree within a second under NTP; the window is what a captured request stays replayable.
    /// Replaying an append is harmless anyway (entries are idempotent by index).
    /// </summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(60);

    private const string Version = "v1";

    private readonly byte[] _key;

    public ClusterSecret(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The header value for a request sent at <paramref name="now"/>.</summary>
    public string Sign(DateTimeOffset now, string method, string target, ReadOnlySpan<byte> body)
    {
        var timestamp = now.ToUnixTimeSeconds();
        var mac = Mac(timestamp, method, target, body);
        return string.Create(CultureInfo.InvariantCulture, $"t={timestamp},{Version}={Convert.ToHexStringLower(mac)}");
    }

    /// <summary>Checks a request's header value; the answer is a reason for the log, never shown to the sender in more detail than needed.</summary>
    public SignatureCheck Verify(string? header, DateTimeOffset now, string method, string target, ReadOnlySpan<byte> body)
    {
        if (header is null)
        {
            return SignatureCheck.Missing;
        }

        if (!TryParseHeader(header, out var timestamp, out var presented))
        {
            return SignatureCheck.Malformed;
        }

        var skew = now - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (skew.Duration() > MaxClockSkew)
        {
            return SignatureCheck.Expired;
        }

        // Constant time, so the comparison leaks nothing about how much of a forged MAC was right.
        return CryptographicOperations.FixedTimeEquals(Mac(timestamp, method, target, body), presented)
            ? SignatureCheck.Valid
            : SignatureCheck.Mismatch;
    }

    /// <summary>The timestamp alone, so a request can be turned away before its body is read.</summary>
    public static SignatureCheck CheckFreshness(string? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return SignatureCheck.Missing;
        }

        if (!TryParseHeader(header, out var timestamp, out _))
        {
            return SignatureCheck.Malformed;
        }

        return (now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > MaxClockSkew ? SignatureCheck.Expired : SignatureCheck.Valid;
    }

    /// <summary>Never prints the secret, should a settings object end up in a log line.</summary>
    public override string ToString() => "[redacted]";

    private byte[] Mac(long timestamp, string method, string target, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}\n{method.ToUpperInvariant()}\n{target}\n")));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryParseHeader(string? header, out long timestamp, out byte[] mac)
    {
        timestamp = 0;
        mac = [];
        if (string.IsNullOrEmpty(header) || header.Length > 256)
        {
            return false;
        }

        string? timestampText = null;
        string? macText = null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal))
            {
                timestampText = part[2..];
            }
            else if (part.StartsWith(Version + "=", StringComparison.Ordinal))
            {
                macText = part[(Version.Length + 1)..];
            }
        }

        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp)
            || timestamp > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || macText is not { Length: 2 * HMACSHA256.HashSizeInBytes })
        {
            return false;
        }

        try
        {
            mac = Convert.FromHexString(macText);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,
    Expired,
    Mismatch,
}
