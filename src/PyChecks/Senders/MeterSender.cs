using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PyChecks;

/// <summary>
/// Republishes check metrics as <see cref="System.Diagnostics.Metrics"/> instruments on the meter
/// <see cref="MeterName"/>, so any OpenTelemetry exporter (or <c>dotnet-counters</c>) ships them.
/// </summary>
/// <remarks>
/// <para>Mapping: gauge and rate → <see cref="Gauge{T}"/>; count and counter → <see cref="Counter{T}"/>;
/// monotonic count → <see cref="Counter{T}"/> of the increase since the previous value of the same series
/// (the first value only when the check asks for <c>flush_first_value</c>); histogram and historate →
/// <see cref="Histogram{T}"/>. The instrument is named after the metric.</para>
/// <para>Tags <c>key:value</c> become attributes <c>key=value</c>; a tag without a colon becomes an attribute
/// with an empty value; a non-empty hostname becomes <c>host</c>. Service checks, events and buckets are
/// not metrics and are ignored.</para>
/// </remarks>
public sealed class MeterSender : ISender, IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PyChecks.Checks";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<string, Gauge<double>> _gauges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter<double>> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Histogram<double>> _histograms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KeyValuePair<string, object?>> _attributes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, double> _lastMonotonic = new();

    /// <summary>Creates the sender with a meter from <paramref name="meterFactory"/>, or a meter of its own when null.</summary>
    public MeterSender(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
    }

    /// <inheritdoc />
    public void SubmitMetric(in MetricSample sample)
    {
        var tags = Attributes(sample.Tags, sample.Hostname);
        switch (sample.Type)
        {
            case MetricType.Gauge:
            case MetricType.Rate:
                _gauges.GetOrAdd(sample.Name, static (name, meter) => meter.CreateGauge<double>(name), _meter).Record(sample.Value, tags);
                break;
            case MetricType.Count:
            case MetricType.Counter:
                Counter(sample.Name).Add(sample.Value, tags);
                break;
            case MetricType.MonotonicCount:
                int series = SeriesKey(sample);
                bool seen = _lastMonotonic.TryGetValue(series, out double previous);
                _lastMonotonic[series] = sample.Value;
                double increase = seen ? sample.Value - previous : sample.FlushFirstValue ? sample.Value : 0;
                if (increase > 0)
                {
                    Counter(sample.Name).Add(increase, tags);
                }

                break;
            case MetricType.Histogram:
            case MetricType.Historate:
                _histograms.GetOrAdd(sample.Name, static (name, meter) => meter.CreateHistogram<double>(name), _meter).Record(sample.Value, tags);
                break;
        }
    }

    /// <inheritdoc />
    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
    }

    /// <inheritdoc />
    public void SubmitEvent(CheckEvent checkEvent)
    {
    }

    /// <inheritdoc />
    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
    }

    /// <inheritdoc />
    public void Commit(in CheckRunSummary run)
    {
    }

    /// <summary>Disposes the meter if this sender created it.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private Counter<double> Counter(string name) => _counters.GetOrAdd(name, static (n, meter) => meter.CreateCounter<double>(n), _meter);

    private TagList Attributes(ReadOnlySpan<string> tags, string hostname)
    {
        var list = default(TagList);
        foreach (string tag in tags)
        {
            list.Add(_attributes.GetOrAdd(tag, static t =>
            {
                int colon = t.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? new(t, string.Empty) : new(t[..colon], t[(colon + 1)..]);
            }));
        }

        if (hostname.Length > 0)
        {
            list.Add("host", hostname);
        }

        return list;
    }

    private static int SeriesKey(in MetricSample sample)
    {
        var hash = default(HashCode);
        hash.Add(sample.CheckId, StringComparer.Ordinal);
        hash.Add(sample.Name, StringComparer.Ordinal);
        hash.Add(sample.Hostname, StringComparer.Ordinal);
        foreach (string tag in sample.Tags)
        {
            hash.Add(tag, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
