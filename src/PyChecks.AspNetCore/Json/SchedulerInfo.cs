namespace PyChecks.AspNetCore.Json;

/// <summary>The scheduler in <see cref="StatusResponse"/>.</summary>
/// <remarks>StandInWorkers: stuck scheduled runs whose worker a stand-in replaced; MaxStandInWorkers: PyChecksOptions.MaxStandInWorkers.</remarks>
internal sealed record SchedulerInfo(bool Enabled, int Checks, int Instances, int Running, int Stuck, int StandInWorkers, int MaxStandInWorkers, IReadOnlyList<string> LoadErrors);
