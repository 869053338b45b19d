namespace PyChecks.AspNetCore.Json;

/// <summary>From the core's types to the wire format.</summary>
internal static class ApiMapping
{
    public static CheckStatusModel ToModel(this CheckStatus s) => new()
    {
        CheckId = s.CheckId,
        CheckName = s.CheckName,
        Version = s.Version,
        Source = s.Source,
        ConfigSource = s.ConfigSource,
        IntervalSeconds = s.Interval.TotalSeconds,
        TimeoutSeconds = s.Timeout.TotalSeconds,
        State = Name(s.State),
        CancelPending = s.CancelPending ? true : null,
        StandInWorker = s.State == CheckState.Stuck ? s.StandInWorker : null,
        LastGilWaitSeconds = s.LastGilWait?.TotalSeconds,
        MaxGilWaitSeconds = s.LastGilWait is null ? null : s.MaxGilWait.TotalSeconds,
        LoadWarnings = s.LoadWarnings,
        LastRunStartedAt = s.LastRunStartedAt,
        LastRunDurationSeconds = s.LastRunDuration?.TotalSeconds,
        LastOutcome = Name(s.LastOutcome),
        LastError = s.LastError,
        LastTraceback = s.LastTraceback,
        LastWarnings = s.LastWarnings,
        LastMetrics = s.LastMetrics,
        LastServiceChecks = s.LastServiceChecks,
        LastEvents = s.LastEvents,
        LastHistogramBuckets = s.LastHistogramBuckets,
        TotalRuns = s.TotalRuns,
        TotalErrors = s.TotalErrors,
        TotalTimeouts = s.TotalTimeouts,
        TotalCancelled = s.TotalCancelled,
        TotalSkipped = s.TotalSkipped,
    };

    public static RunResponse ToModel(this CheckRunReport report) =>
        new(report.CheckName, [.. report.Instances.Select(ToModel)], report.Errors);

    public static ReloadResponse ToModel(this CheckReloadResult r) => new(r.Added, r.Removed, r.Replaced, r.Unchanged, r.Errors);

    public static RecentSampleModel ToModel(this Recent.RecentSample s) => new()
    {
        Kind = s.Kind == Recent.RecentSampleKind.Metric ? "metric" : "service_check",
        CheckId = s.CheckId,
        CheckName = s.CheckName,
        Name = s.Name,
        Timestamp = s.Timestamp,
        Type = s.MetricType is { } type ? Name(type) : null,
        Value = s.Value,
        Status = s.Status is { } status ? Name(status) : null,
        Message = s.Message,
        Tags = s.Tags,
        Hostname = s.Hostname,
    };

    /// <summary>The names of <c>pychecks.check.runs</c>' <c>status</c> tag, and <c>none</c> before the first run.</summary>
    public static string Name(CheckRunOutcome outcome) => outcome switch
    {
        CheckRunOutcome.Ok => "ok",
        CheckRunOutcome.Error => "error",
        CheckRunOutcome.TimedOut => "timeout",
        CheckRunOutcome.Cancelled => "cancelled",
        _ => "none",
    };

    public static string Name(CheckState state) => state switch
    {
        CheckState.Scheduled => "scheduled",
        CheckState.Running => "running",
        CheckState.Stuck => "stuck",
        _ => "stopped",
    };

    /// <summary>Datadog's names (<c>aggregator.GAUGE</c> is <c>gauge</c>, …).</summary>
    public static string Name(MetricType type) => type switch
    {
        MetricType.Gauge => "gauge",
        MetricType.Rate => "rate",
        MetricType.Count => "count",
        MetricType.MonotonicCount => "monotonic_count",
        MetricType.Counter => "counter",
        MetricType.Histogram => "histogram",
        MetricType.Historate => "historate",
        _ => "unknown",
    };

    public static string Name(ServiceCheckStatus status) => status switch
    {
        ServiceCheckStatus.Ok => "ok",
        ServiceCheckStatus.Warning => "warning",
        ServiceCheckStatus.Critical => "critical",
        _ => "unknown",
    };

    private static InstanceRunModel ToModel(CheckInstanceRun run) => new()
    {
        CheckId = run.CheckId,
        Succeeded = run.Result.Succeeded,
        Error = run.Result.Error,
        Traceback = run.Result.Traceback,
        Interrupted = run.Result.Interrupted,
        Stuck = run.Stuck ? true : null,
        Warnings = run.Result.Warnings,
        StartedAt = run.Result.StartedAt,
        DurationSeconds = run.Result.Duration.TotalSeconds,
        Metrics = [.. run.Metrics.Select(static m => new MetricModel(m.Name, Name(m.Type), m.Value, m.Tags, m.Hostname))],
        ServiceChecks = [.. run.ServiceChecks.Select(static s => new ServiceCheckModel(s.Name, Name(s.Status), s.Message, s.Tags, s.Hostname))],
        Events = [.. run.Events.Select(static e => new EventModel(e.Title, e.Text, e.Timestamp, e.Priority, e.Host, e.AlertType, e.AggregationKey, e.SourceTypeName, e.EventType, e.Tags))],
        HistogramBuckets = [.. run.HistogramBuckets.Select(static b => new HistogramBucketModel(b.Name, b.Value, b.LowerBound, b.UpperBound, b.Monotonic, b.Tags, b.Hostname))],
    };

    // The profiler is experimental (PYCHECKS001); its wire models follow it.
#pragma warning disable PYCHECKS001
    public static ProfileTaskModel ToModel(this ProfileTask t) => new()
    {
        Id = t.Id,
        CheckId = t.CheckId,
        State = t.State.ToString().ToLowerInvariant(),
        DurationSeconds = t.Duration.TotalSeconds,
        IntervalSeconds = t.Interval.TotalSeconds,
        MaxDepth = t.MaxDepth,
        MinRunDurationSeconds = t.MinRunDuration.TotalSeconds,
        MaxRuns = t.MaxRuns,
        CreatedAt = t.CreatedAt,
        StartedAt = t.StartedAt,
        EndedAt = t.EndedAt,
        Runs = t.Runs,
        Message = t.Message,
        Quality = new ProfileQualityModel(
            t.Quality.Samples,
            t.Quality.TruncatedSamples,
            t.Quality.SampledTime.TotalSeconds,
            Math.Round(t.Quality.RequestedHz, 2),
            Math.Round(t.Quality.AchievedHz, 2),
            t.Quality.GilWaitP50.TotalSeconds,
            t.Quality.GilWaitP99.TotalSeconds,
            t.Quality.HoldP50.TotalSeconds,
            t.Quality.HoldP99.TotalSeconds),
    };
#pragma warning restore PYCHECKS001
}
