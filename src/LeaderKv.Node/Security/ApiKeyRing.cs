using System.Security.Cryptography;
using System.Text;

namespace LeaderKv.Node.Security;

/// <summary>What a client API key allows.</summary>
public enum ApiAccess
{
    /// <summary><c>/data</c>, <c>/kv/{key}</c>, <c>/status</c>.</summary>
    Read,

    /// <summary>Everything <see cref="Read"/> allows, and <c>/write</c>.</summary>
    ReadWrite,
}

/// <summary>
/// The configured client API keys (<c>API_KEYS=key1:rw,key2:r</c>). Keys are kept only as SHA-256
/// digests and every lookup compares against all of them in constant time, so neither timing nor
/// a memory dump of the ring gives a key away.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly List<(byte[] Digest, ApiAccess Access)> _keys;

    private ApiKeyRing(List<(byte[] Digest, ApiAccess Access)> keys) => _keys = keys;

    public int Count => _keys.Count;

    /// <summary>Parses <c>key:rw</c> / <c>key:r</c> items separated by commas or new lines; lines starting with <c>#</c> are comments.</summary>
    public static ApiKeyRing? Parse(string text, out string? error)
    {
        error = null;
        var keys = new List<(byte[] Digest, ApiAccess Access)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.TrimEntries).Where(line => !line.StartsWith('#'));
        foreach (var item in lines.SelectMany(line => line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var colon = item.LastIndexOf(':');
            var key = colon > 0 ? item[..colon] : string.Empty;
            var access = colon > 0 ? item[(colon + 1)..] : string.Empty;
            if (key.Length == 0 || key.Any(char.IsWhiteSpace) || key.Contains(','))
            {
                error = $"each key must look like 'key:rw' or 'key:r' with no spaces in the key; an item does not (item {keys.Count + 1}).";
                return null;
            }

            ApiAccess parsed;
            switch (access.ToLowerInvariant())
            {
                case "rw":
                    parsed = ApiAccess.ReadWrite;
                    break;
                case "r":
                    parsed = ApiAccess.Read;
                    break;
                default:
                    error = $"key {keys.Count + 1} has access '{access}'; use 'rw' (read and write) or 'r' (read only).";
                    return null;
            }

            if (!seen.Add(key))
            {
                error = $"key {keys.Count + 1} is listed twice.";
                return null;
            }

            keys.Add((Digest(key), parsed));
        }

        if (keys.Count == 0)
        {
            error = "no keys given; unset the variable to run without API keys.";
            return null;
        }

        return new ApiKeyRing(keys);
    }

    /// <summary>The access <paramref name="presented"/> grants, or null when it is no configured key.</summary>
    public ApiAccess? Authenticate(string presented)
    {
        var digest = Digest(presented);
        ApiAccess? found = null;
        // No early exit: the time taken does not depend on which key (if any) matched.
        foreach (var (candidate, access) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest))
            {
                found = access;
            }
        }

        return found;
    }

    public override string ToString() => $"[{_keys.Count} API keys]";

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
