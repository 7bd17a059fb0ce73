namespace LeaderKv.Node.Configuration;

public sealed partial record NodeSettings
{
    /// <summary>The log format (LOG_FORMAT).</summary>
    public LoggingSettings Logging { get; init; } = new();

    private static LoggingSettings ParseLogging(NodeOptions options, List<string> errors)
    {
        switch (options.LogFormat?.Trim().ToLowerInvariant())
        {
            case null or "" or "text":
                return new LoggingSettings { Format = LogFormat.Text };
            case "json":
                return new LoggingSettings { Format = LogFormat.Json };
            default:
                errors.Add($"LOG_FORMAT must be 'text' or 'json', got '{options.LogFormat}'.");
                return new LoggingSettings();
        }
    }
}
