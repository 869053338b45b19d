namespace PyChecks.AspNetCore.Json;

// The wire format of the control API. It is a contract of its own, mapped from the core's types, so that the core can
// change without changing what clients read. Durations are seconds (number) in members named …Seconds; instants are
// ISO-8601 (UTC); enumerations are lowercase strings.

internal sealed record ErrorResponse(ErrorDetail Error);

// Suggestions: for an unknown check name, the configured names close to it ("did you mean").
internal sealed record ErrorDetail(string Message, string Code, string? Field = null, IReadOnlyList<string>? Suggestions = null);

internal sealed record StatusResponse(
    string Version,
    int ProcessId,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    PythonInfo Python,
    SchedulerInfo Scheduler,
    MemorySummary? Memory);

internal sealed record PythonInfo(string Version, string Implementation, string LibraryPath, string FoundBy, string FullVersion);

// StandInWorkers: stuck scheduled runs whose worker a stand-in replaced; MaxStandInWorkers: PyChecksOptions.MaxStandInWorkers.
internal sealed record SchedulerInfo(bool Enabled, int Checks, int Instances, int Running, int Stuck, int StandInWorkers, int MaxStandInWorkers, IReadOnlyList<string> LoadErrors);

internal sealed record MemorySummary(long NativeInUseBytes, long NativeAllocations, long? PythonAllocatedBlocks, long? PythonTracedBytes);

internal sealed record ChecksResponse(IReadOnlyList<CheckStatusModel> Checks, IReadOnlyList<string> LoadErrors);

internal sealed record CheckStatusModel
{
    public required string CheckId { get; init; }

    public required string CheckName { get; init; }

    public required string Version { get; init; }

    public required string Source { get; init; }

    public required string ConfigSource { get; init; }

    public required double IntervalSeconds { get; init; }

    public required double TimeoutSeconds { get; init; }

    public required string State { get; init; }

    // Written only when true (null is left out), as most records never have them.
    public bool? CancelPending { get; init; }

    public bool? StandInWorker { get; init; }

    // How long the last run waited for the GIL before it started, and the longest wait since the instance was loaded.
    public double? LastGilWaitSeconds { get; init; }

    public double? MaxGilWaitSeconds { get; init; }

    public required IReadOnlyList<string> LoadWarnings { get; init; }

    public DateTimeOffset? LastRunStartedAt { get; init; }

    public double? LastRunDurationSeconds { get; init; }

    public required string LastOutcome { get; init; }

    public string? LastError { get; init; }

    public string? LastTraceback { get; init; }

    public required IReadOnlyList<string> LastWarnings { get; init; }

    public int LastMetrics { get; init; }

    public int LastServiceChecks { get; init; }

    public int LastEvents { get; init; }

    public int LastHistogramBuckets { get; init; }

    public long TotalRuns { get; init; }

    public long TotalErrors { get; init; }

    public long TotalTimeouts { get; init; }

    public long TotalCancelled { get; init; }

    public long TotalSkipped { get; init; }
}

internal sealed record RunResponse(string CheckName, IReadOnlyList<InstanceRunModel> Instances, IReadOnlyList<string> Errors);

internal sealed record InstanceRunModel
{
    public required string CheckId { get; init; }

    public required bool Succeeded { get; init; }

    public string? Error { get; init; }

    public string? Traceback { get; init; }

    public bool Interrupted { get; init; }

    // Written only when true: the run was left behind, blocked in C code.
    public bool? Stuck { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public double DurationSeconds { get; init; }

    public required IReadOnlyList<MetricModel> Metrics { get; init; }

    public required IReadOnlyList<ServiceCheckModel> ServiceChecks { get; init; }

    public required IReadOnlyList<EventModel> Events { get; init; }

    public required IReadOnlyList<HistogramBucketModel> HistogramBuckets { get; init; }
}

internal sealed record MetricModel(string Name, string Type, double Value, IReadOnlyList<string> Tags, string Hostname);

internal sealed record ServiceCheckModel(string Name, string Status, string Message, IReadOnlyList<string> Tags, string Hostname);

internal sealed record EventModel(string Title, string Text, long Timestamp, string Priority, string Host, string AlertType, string AggregationKey, string SourceTypeName, string EventType, IReadOnlyList<string> Tags);

internal sealed record HistogramBucketModel(string Name, long Value, double LowerBound, double UpperBound, bool Monotonic, IReadOnlyList<string> Tags, string Hostname);

// Cancelled: the run was interrupted. Pending (written only when true): the run is stuck in C code and takes the cancel when it returns to Python; Message says so.
internal sealed record CancelResponse(string CheckId, bool Cancelled, bool? Pending = null, string? Message = null);

internal sealed record ReloadResponse(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Replaced, int Unchanged, IReadOnlyList<string> Errors);

internal sealed record RecentResponse(string? Check, int PerCheckLimit, int TotalLimit, IReadOnlyList<RecentSampleModel> Samples);

internal sealed record RecentSampleModel
{
    public required string Kind { get; init; }

    public required string CheckId { get; init; }

    public required string CheckName { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? Type { get; init; }

    public double? Value { get; init; }

    public string? Status { get; init; }

    public string? Message { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public required string Hostname { get; init; }
}

internal sealed record ProfilesResponse(IReadOnlyList<ProfileTaskModel> Profiles);

internal sealed record ProfileTaskModel
{
    public required string Id { get; init; }

    public required string CheckId { get; init; }

    public required string State { get; init; }

    public required double DurationSeconds { get; init; }

    public required double IntervalSeconds { get; init; }

    public required int MaxDepth { get; init; }

    public required double MinRunDurationSeconds { get; init; }

    public int? MaxRuns { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public required int Runs { get; init; }

    public string? Message { get; init; }

    public required ProfileQualityModel Quality { get; init; }
}

internal sealed record ProfileQualityModel(
    long Samples,
    long TruncatedSamples,
    double SampledSeconds,
    double RequestedHz,
    double AchievedHz,
    double GilWaitP50Seconds,
    double GilWaitP99Seconds,
    double HoldP50Seconds,
    double HoldP99Seconds);
