namespace PyChecks.AspNetCore.Json;

/// <summary>A worker process slot in <see cref="StatusResponse"/> (see <see cref="WorkerProcessStatus"/>).</summary>
internal sealed record WorkerProcessModel(
    int Slot,
    int? ProcessId,
    string? PythonVersion,
    DateTimeOffset? StartedAt,
    int Checks,
    long Runs,
    int Restarts,
    long? ResidentBytes,
    string? LastExit);
