namespace PyChecks;

/// <summary>The kind of a metric sample; the values are Datadog's (<c>aggregator.GAUGE</c> is 0, …).</summary>
public enum MetricType
{
    /// <summary>The last value in the flush interval.</summary>
    Gauge = 0,

    /// <summary>A rate computed from two consecutive values.</summary>
    Rate = 1,

    /// <summary>A count over the flush interval.</summary>
    Count = 2,

    /// <summary>A monotonically increasing counter, reported as its increase.</summary>
    MonotonicCount = 3,

    /// <summary>Datadog's legacy counter.</summary>
    Counter = 4,

    /// <summary>A distribution of values aggregated on the host.</summary>
    Histogram = 5,

    /// <summary>A histogram of rates.</summary>
    Historate = 6,
}
