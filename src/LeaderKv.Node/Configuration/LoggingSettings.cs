namespace LeaderKv.Node.Configuration;

public enum LogFormat
{
    /// <summary>ASP.NET Core's simple console formatter: one readable line per event.</summary>
    Text,

    /// <summary>ASP.NET Core's JSON console formatter: one JSON object per line.</summary>
    Json,
}

/// <summary>LOG_FORMAT, parsed.</summary>
public sealed record LoggingSettings
{
    public LogFormat Format { get; init; } = LogFormat.Text;
}
