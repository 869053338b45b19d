namespace PyChecks.Tool.Checks;

/// <summary>Datadog's names of the metric types, as the Agent and the control API write them.</summary>
internal static class MetricTypeNames
{
    /// <summary><c>gauge</c>, <c>rate</c>, <c>count</c>, <c>monotonic_count</c>, <c>counter</c>, <c>histogram</c>, <c>historate</c>.</summary>
    public static string Of(MetricType type) => type switch
    {
        MetricType.MonotonicCount => "monotonic_count",
        _ => type.ToString().ToLowerInvariant(),
    };
}
