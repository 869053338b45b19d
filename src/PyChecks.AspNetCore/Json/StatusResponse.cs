namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>GET status</c>.</summary>
internal sealed record StatusResponse(
    string Version,
    int ProcessId,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    PythonInfo Python,
    SchedulerInfo Scheduler,
    MemorySummary? Memory,
    IReadOnlyList<WorkerProcessModel>? Workers);
