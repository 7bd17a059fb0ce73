namespace LeaderKv.Cli.Client;

/// <summary>Node base URLs as users type them: <c>http://127.0.0.1:8000</c>, with or without a trailing slash.</summary>
public static class NodeAddress
{
    /// <summary>Parses an absolute http(s) URL and adds the trailing slash relative URIs need.</summary>
    public static Uri Parse(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"'{text}' is not an http:// or https:// URL.");
        }

        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    public static bool TryParse(string text, out Uri? url)
    {
        try
        {
            url = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            url = null;
            return false;
        }
    }

    /// <summary>The URL as the seed writes node addresses: no trailing slash.</summary>
    public static string Format(Uri url) => url.AbsoluteUri.TrimEnd('/');
}
