using System.Diagnostics.Metrics;
using LeaderKv.Node.Observability;

namespace LeaderKv.Node.Dashboard;

/// <summary>
/// Writes on this node over the last minute, for the dashboard's rate and latency: it listens to the
/// instruments <see cref="NodeMetrics"/> already records (this host's meter only), one bucket per
/// second. Bounded: 60 buckets, each keeping at most <see cref="SamplesPerSecond"/> latencies (a
/// uniform reservoir sample beyond that), so percentiles stay honest at any rate.
/// </summary>
public sealed class WriteWindow : IDisposable
{
    public const int Seconds = 60;

    /// <summary>Enough for a p99 per second; 60 × this many doubles is the window's whole memory.</summary>
    public const int SamplesPerSecond = 256;

    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly Bucket[] _buckets = new Bucket[Seconds];
    private readonly Random _reservoir = new(0x5eed);
    private readonly Lock _gate = new();

    public WriteWindow(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        for (var i = 0; i < Seconds; i++)
        {
            _buckets[i] = new Bucket();
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == NodeMetrics.MeterName
                && instrument.Name is "leaderkv_write_duration_seconds" or "leaderkv_writes_rejected_total" or "leaderkv_writes_unknown_total")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, _, _) => OnCommitted(seconds));
        _listener.SetMeasurementEventCallback<long>((instrument, count, _, _) =>
        {
            if (count > 0)
            {
                OnCounted(instrument.Name == "leaderkv_writes_rejected_total", count);
            }
        });
        _listener.Start();
    }

    public WriteStats Snapshot()
    {
        var now = CurrentSecond();
        var perSecond = new int[Seconds];
        var latencies = new List<double>();
        long rejected = 0, unknown = 0;
        lock (_gate)
        {
            for (var age = 0; age < Seconds; age++)
            {
                var bucket = _buckets[Slot(now - age)];
                if (bucket.Second != now - age)
                {
                    continue;
                }

                perSecond[Seconds - 1 - age] = bucket.Committed;
                rejected += bucket.Rejected;
                unknown += bucket.Unknown;
                latencies.AddRange(bucket.Samples.Take(Math.Min(bucket.Committed, SamplesPerSecond)));
            }
        }

        latencies.Sort();
        return new WriteStats(
            perSecond,
            perSecond.Sum(),
            rejected,
            unknown,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            latencies.Count > 0 ? latencies[^1] : null);
    }

    public void Dispose() => _listener.Dispose();

    private void OnCommitted(double seconds)
    {
        lock (_gate)
        {
            var bucket = Current();
            bucket.Committed++;
            // Algorithm R: every write of the second has the same chance of being kept.
            var slot = bucket.Committed <= SamplesPerSecond ? bucket.Committed - 1 : _reservoir.Next(bucket.Committed);
            if (slot < SamplesPerSecond)
            {
                bucket.Samples[slot] = seconds * 1000;
            }
        }
    }

    private void OnCounted(bool rejected, long count)
    {
        lock (_gate)
        {
            var bucket = Current();
            if (rejected)
            {
                bucket.Rejected += count;
            }
            else
            {
                bucket.Unknown += count;
            }
        }
    }

    private Bucket Current()
    {
        var now = CurrentSecond();
        var bucket = _buckets[Slot(now)];
        if (bucket.Second != now)
        {
            bucket.Reset(now);
        }

        return bucket;
    }

    private long CurrentSecond() => _time.GetUtcNow().ToUnixTimeSeconds();

    private static int Slot(long second) => (int)(second % Seconds);

    private static double? Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed class Bucket
    {
        public long Second { get; private set; } = -1;

        public int Committed { get; set; }

        public long Rejected { get; set; }

        public long Unknown { get; set; }

        public double[] Samples { get; } = new double[SamplesPerSecond];

        public void Reset(long second)
        {
            Second = second;
            Committed = 0;
            Rejected = 0;
            Unknown = 0;
        }
    }
}
