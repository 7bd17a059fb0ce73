using System.Text;

namespace LeaderKv.Node.Observability.Prometheus;

/// <summary>
/// Instrument names and units to Prometheus names, as OpenTelemetry's Prometheus compatibility
/// rules do it: dots and other characters become underscores, the unit becomes a suffix in base
/// form (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; annotations such as
/// <c>{request}</c> add nothing) and counters end in <c>_total</c>. A name that already ends in
/// its suffix keeps it once, so LeaderKV's own names pass through unchanged.
/// </summary>
internal static class PrometheusNames
{
    public static string MetricName(string instrumentName, string? unit, bool isCounter, bool isGauge)
    {
        var name = Sanitize(instrumentName);
        if (isCounter && name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        var suffix = UnitSuffix(unit, isGauge);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        return isCounter ? name + "_total" : name;
    }

    /// <summary>A label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string LabelName(string key) => Sanitize(key);

    private static string UnitSuffix(string? unit, bool isGauge)
    {
        if (string.IsNullOrEmpty(unit) || unit.StartsWith('{'))
        {
            return "";
        }

        return unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "min" => "minutes",
            "h" => "hours",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "%" => "percent",
            "1" => isGauge ? "ratio" : "",
            _ => Sanitize(unit),
        };
    }

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var allowed = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or ':';
            var next = allowed ? c : '_';
            // Collapse runs of replaced characters ("a./b" → "a_b"), as OpenTelemetry does.
            if (next == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }

            builder.Append(next);
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }
}
