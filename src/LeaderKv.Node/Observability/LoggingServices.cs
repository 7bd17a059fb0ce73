using LeaderKv.Node.Configuration;

namespace LeaderKv.Node.Observability;

internal static class LoggingServices
{
    /// <summary>
    /// <c>LOG_FORMAT=json</c>: one JSON object per line (ASP.NET Core's JSON console formatter), with
    /// the event id, category, message and its named values as fields, for a log shipper to index.
    /// </summary>
    public static IServiceCollection AddNodeLogging(this IServiceCollection services, LoggingSettings logging)
    {
        if (logging.Format == LogFormat.Json)
        {
            services.AddLogging(builder => builder.AddJsonConsole(json =>
            {
                json.IncludeScopes = false;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                json.UseUtcTimestamp = true;
            }));
        }

        return services;
    }
}
