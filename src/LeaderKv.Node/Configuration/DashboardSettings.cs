namespace LeaderKv.Node.Configuration;

/// <summary>LEADERKV_CONTROL_URL and LEADERKV_CONTROL_TOKEN, parsed: the dashboard's route to the process controls of <c>leaderkv up</c>.</summary>
public sealed record DashboardSettings
{
    /// <summary>A control token shorter than this is refused: it is all that stands between a local process and kill -9.</summary>
    public const int MinControlTokenLength = 16;

    /// <summary>The control endpoint (always a loopback URL); null when the node was not started by <c>up</c>: the buttons are then hidden.</summary>
    public Uri? ControlUrl { get; init; }

    public string? ControlToken { get; init; }

    public bool HasControl => ControlUrl is not null && ControlToken is not null;
}
