namespace LeaderKv.Node.Configuration;

/// <summary>Where the dashboard's stop, pause and restart buttons go: set by <c>leaderkv up</c>, never by hand.</summary>
public sealed partial class NodeOptions
{
    /// <summary>The loopback URL of the control endpoint of the <c>leaderkv up</c> that started this node.</summary>
    [ConfigurationKeyName("LEADERKV_CONTROL_URL")]
    public string? ControlUrl { get; init; }

    /// <summary>The bearer token that control endpoint demands (random per run of <c>up</c>).</summary>
    [ConfigurationKeyName("LEADERKV_CONTROL_TOKEN")]
    public string? ControlToken { get; init; }
}
