using System.Diagnostics.Metrics;
using System.Text;

namespace LeaderKv.Node.Observability.Prometheus;

/// <summary>
/// A <see cref="MeterListener"/> that aggregates the instruments of one node and writes them in the
/// Prometheus text format (version 0.0.4). It selects meters by instance, not by name: the meters
/// this host's <see cref="IMeterFactory"/> created (LeaderKV's own and ASP.NET Core's), the
/// process-wide .NET runtime meter, and meters handed in explicitly (the write-ahead log's). That is
/// what keeps six nodes in one test process from reporting each other's writes, and it is the
/// reason this small exporter exists (docs/operations.md, "Why this exporter").
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>The .NET runtime's meter (GC, JIT, thread pool, CPU): one per process, shared by every node in it.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Bounds for histograms that give no advice (ASP.NET Core's request and connection durations,
    /// which OpenTelemetry's own defaults also cover with these seconds-scale buckets).
    /// </summary>
    private static readonly double[] DefaultBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly MeterListener _listener = new();
    private readonly Lock _familiesGate = new();
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _collectGate = new();
    private readonly IMeterFactory _hostMeters;
    private readonly IReadOnlySet<Meter> _extraMeters;

    public MetricsCollector(IMeterFactory hostMeters, IEnumerable<Meter> extraMeters)
    {
        ArgumentNullException.ThrowIfNull(hostMeters);
        _hostMeters = hostMeters;
        _extraMeters = extraMeters.ToHashSet();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Selects(instrument.Meter) && FamilyFor(instrument) is { } family)
            {
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>One scrape: runs the observable instruments' callbacks, then writes every family.</summary>
    public string Scrape()
    {
        var output = new StringBuilder(16 * 1024);
        lock (_collectGate)
        {
            List<MetricFamily> families;
            lock (_familiesGate)
            {
                families = [.. _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
            }

            foreach (var family in families)
            {
                family.ClearObserved();
            }

            _listener.RecordObservableInstruments();
            foreach (var family in families)
            {
                family.WriteTo(output);
            }
        }

        return output.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private bool Selects(Meter meter) =>
        meter.Scope == _hostMeters
        || _extraMeters.Contains(meter)
        || (meter.Scope is null && meter.Name == RuntimeMeterName);

    /// <summary>
    /// The family an instrument reports into, created on first sight. An instrument whose name maps
    /// onto an existing family of another kind is left out rather than corrupting that family.
    /// </summary>
    private MetricFamily? FamilyFor(Instrument instrument)
    {
        if (KindOf(instrument) is not { } kind)
        {
            return null;
        }

        var name = PrometheusNames.MetricName(
            instrument.Name,
            instrument.Unit,
            isCounter: kind is FamilyKind.Counter or FamilyKind.ObservedCounter,
            isGauge: kind is FamilyKind.SummedGauge or FamilyKind.LastValueGauge);
        lock (_familiesGate)
        {
            if (_families.TryGetValue(name, out var existing))
            {
                return existing.Kind == kind ? existing : null;
            }

            var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
            var family = new MetricFamily(name, help, kind, kind == FamilyKind.Histogram ? BoundsOf(instrument) : []);
            _families.Add(name, family);
            return family;
        }
    }

    private static FamilyKind? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return FamilyKind.Counter;
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return FamilyKind.ObservedCounter;
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return FamilyKind.SummedGauge;
        }

        if (definition == typeof(Histogram<>))
        {
            return FamilyKind.Histogram;
        }

        if (definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>))
        {
            return FamilyKind.LastValueGauge;
        }

        return null;
    }

    private static double[] BoundsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b],
        Histogram<float> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b.Select(x => (double)x)],
        Histogram<long> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b.Select(x => (double)x)],
        Histogram<int> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b.Select(x => (double)x)],
        _ => DefaultBounds,
    };
}
