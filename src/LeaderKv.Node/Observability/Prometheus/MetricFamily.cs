using System.Globalization;
using System.Text;

namespace LeaderKv.Node.Observability.Prometheus;

/// <summary>How a family aggregates measurements and what <c># TYPE</c> it is written with.</summary>
internal enum FamilyKind
{
    /// <summary>Counter: measurements are increments, summed.</summary>
    Counter,

    /// <summary>ObservableCounter: each observation is the cumulative value itself.</summary>
    ObservedCounter,

    /// <summary>UpDownCounter: increments, summed; written as a gauge.</summary>
    SummedGauge,

    /// <summary>Gauge, ObservableGauge, ObservableUpDownCounter: the last observation.</summary>
    LastValueGauge,

    /// <summary>Histogram: bucket counts, sum and count.</summary>
    Histogram,
}

/// <summary>
/// One Prometheus metric family: its series keyed by their label set, aggregated as measurements
/// arrive (<see cref="Record"/>, from any thread) and written out by <see cref="WriteTo"/>.
/// Observed (asynchronous) series are cleared before each collection, so a series whose callback
/// stops reporting it (a follower removed) disappears instead of freezing at its last value.
/// </summary>
internal sealed class MetricFamily(string name, string help, FamilyKind kind, double[] bounds)
{
    /// <summary>Distinct label sets kept per family: a bug that puts a key or an index into a label cannot grow memory without bound.</summary>
    public const int MaxSeries = 2000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public FamilyKind Kind { get; } = kind;

    public bool IsObserved => Kind is FamilyKind.ObservedCounter or FamilyKind.LastValueGauge;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_gate)
        {
            if (!_series.TryGetValue(labels, out var series))
            {
                if (_series.Count >= MaxSeries)
                {
                    return;
                }

                series = new Series(Kind == FamilyKind.Histogram ? new long[bounds.Length + 1] : null);
                _series.Add(labels, series);
            }

            switch (Kind)
            {
                case FamilyKind.Counter or FamilyKind.SummedGauge:
                    series.Value += value;
                    break;
                case FamilyKind.ObservedCounter or FamilyKind.LastValueGauge:
                    series.Value = value;
                    break;
                default:
                    var bucket = Array.BinarySearch(bounds, value);
                    // Prometheus buckets are "less than or equal": an exact bound belongs to its own bucket.
                    series.Buckets![bucket >= 0 ? bucket : ~bucket]++;
                    series.Value += value;
                    series.Count++;
                    break;
            }
        }
    }

    /// <summary>Before a collection: forget observed series, which the callbacks are about to report afresh.</summary>
    public void ClearObserved()
    {
        if (!IsObserved)
        {
            return;
        }

        lock (_gate)
        {
            _series.Clear();
        }
    }

    public void WriteTo(StringBuilder output)
    {
        lock (_gate)
        {
            if (_series.Count == 0)
            {
                return;
            }

            output.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            output.Append("# TYPE ").Append(Name).Append(' ').Append(TypeName(Kind)).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (Kind == FamilyKind.Histogram)
                {
                    WriteHistogram(output, labels, series);
                }
                else
                {
                    WriteSample(output, Name, labels, series.Value);
                }
            }
        }
    }

    private void WriteHistogram(StringBuilder output, string labels, Series series)
    {
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += series.Buckets![i];
            var le = i < bounds.Length ? Format(bounds[i]) : "+Inf";
            var bucketLabels = labels.Length == 0 ? $"le=\"{le}\"" : $"{labels},le=\"{le}\"";
            WriteSample(output, Name + "_bucket", bucketLabels, cumulative);
        }

        WriteSample(output, Name + "_sum", labels, series.Value);
        WriteSample(output, Name + "_count", labels, series.Count);
    }

    private static void WriteSample(StringBuilder output, string name, string labels, double value)
    {
        output.Append(name);
        if (labels.Length > 0)
        {
            output.Append('{').Append(labels).Append('}');
        }

        output.Append(' ').Append(Format(value)).Append('\n');
    }

    /// <summary>Labels sorted by name, so one set of tags is one series whatever order it came in.</summary>
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new (string Name, string Value)[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            pairs[i] = (PrometheusNames.LabelName(tags[i].Key), Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
        }

        Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var builder = new StringBuilder();
        foreach (var (labelName, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(labelName).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }

        return builder.ToString();
    }

    private static string TypeName(FamilyKind kind) => kind switch
    {
        FamilyKind.Counter or FamilyKind.ObservedCounter => "counter",
        FamilyKind.Histogram => "histogram",
        _ => "gauge",
    };

    internal static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabelValue(string text) => EscapeHelp(text).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed class Series(long[]? buckets)
    {
        public double Value { get; set; }

        public long Count { get; set; }

        public long[]? Buckets { get; } = buckets;
    }
}
