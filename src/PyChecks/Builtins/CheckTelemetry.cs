using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PyChecks.Builtins;

/// <summary>
/// The instruments behind <c>datadog_agent.emit_agent_telemetry(check_name, metric_name, value, metric_type)</c>. The
/// Agent makes one Prometheus series per check and metric; here three instruments carry them as <c>check</c> and
/// <c>metric</c> tags, so the instrument set stays fixed whatever checks report.
/// </summary>
internal sealed class CheckTelemetry
{
    private readonly Counter<double> _counter;
    private readonly UpDownCounter<double> _gauge;
    private readonly Histogram<double> _histogram;

    // The type each (check, metric) was first emitted with: the Agent refuses a later different type.
    private readonly ConcurrentDictionary<(string Check, string Metric), string> _types = new();

    public CheckTelemetry(Meter meter)
    {
        _counter = meter.CreateCounter<double>(PyChecksTelemetry.CheckTelemetryCounter, null, "Counters checks report about themselves (emit_agent_telemetry).");
        _gauge = meter.CreateUpDownCounter<double>(PyChecksTelemetry.CheckTelemetryGauge, null, "Gauges checks report about themselves (emit_agent_telemetry); values are added.");
        _histogram = meter.CreateHistogram<double>(PyChecksTelemetry.CheckTelemetryHistogram, null, "Distributions checks report about themselves (emit_agent_telemetry).");
    }

    /// <summary>Records one value; returns why it was not recorded, or null.</summary>
    public string? Emit(string checkName, string metricName, double value, string metricType)
    {
        if (metricType is not ("counter" or "gauge" or "histogram"))
        {
            return $"unsupported metric type '{metricType}' (expected 'counter', 'gauge' or 'histogram')";
        }

        if (metricType == "counter" && !(value >= 0))
        {
            return $"a counter only increases ({value} given)";
        }

        string first = _types.GetOrAdd((checkName, metricName), metricType);
        if (!string.Equals(first, metricType, StringComparison.Ordinal))
        {
            return $"it was first emitted as a {first}, not a {metricType}";
        }

        var check = new KeyValuePair<string, object?>("check", checkName);
        var metric = new KeyValuePair<string, object?>("metric", metricName);
        switch (metricType)
        {
            case "counter":
                _counter.Add(value, check, metric);
                break;
            case "gauge":
                _gauge.Add(value, check, metric);
                break;
            default:
                _histogram.Record(value, check, metric);
                break;
        }

        return null;
    }
}
