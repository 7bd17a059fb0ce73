namespace LeaderKv.Node.Configuration;

public sealed partial record NodeSettings
{
    /// <summary>The dashboard's process controls (set only by <c>leaderkv up</c>).</summary>
    public DashboardSettings Dashboard { get; init; } = new();

    private static DashboardSettings ParseDashboard(NodeOptions options, List<string> errors)
    {
        var text = options.ControlUrl?.Trim();
        var token = options.ControlToken?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return new DashboardSettings();
        }

        // The control endpoint kills processes: only one on this machine may be named, so that a
        // node never forwards a button press across the network.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || !url.IsLoopback)
        {
            errors.Add($"LEADERKV_CONTROL_URL must be an http:// URL on loopback (127.0.0.1, [::1] or localhost), got '{text}'.");
            return new DashboardSettings();
        }

        if (token is null || token.Length < DashboardSettings.MinControlTokenLength)
        {
            errors.Add($"LEADERKV_CONTROL_TOKEN must be set, with at least {DashboardSettings.MinControlTokenLength} characters, when LEADERKV_CONTROL_URL is.");
            return new DashboardSettings();
        }

        return new DashboardSettings { ControlUrl = url, ControlToken = token };
    }
}
