namespace LeaderKv.Node.Dashboard;

/// <summary>The page's files, embedded in this assembly (no CDN, no files next to the node): read once, served from memory.</summary>
internal static class DashboardAssets
{
    public static readonly Asset Page = Load("index.html", "text/html; charset=utf-8");
    public static readonly Asset Script = Load("dashboard.js", "text/javascript; charset=utf-8");
    public static readonly Asset Style = Load("dashboard.css", "text/css; charset=utf-8");

    /// <summary>Everything from this node, nothing inline, nothing from elsewhere.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

    public static IResult Serve(HttpContext context, Asset asset)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static Asset Load(string name, string contentType)
    {
        var assembly = typeof(DashboardAssets).Assembly;
        using var stream = assembly.GetManifestResourceStream($"LeaderKv.Node.Dashboard.Assets.{name}")
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded in {assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Asset(copy.ToArray(), contentType);
    }

    public sealed record Asset(byte[] Content, string ContentType);
}
