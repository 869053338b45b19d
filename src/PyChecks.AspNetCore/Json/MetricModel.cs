namespace PyChecks.AspNetCore.Json;

/// <summary>A metric submitted by a run, in <see cref="InstanceRunModel"/>.</summary>
internal sealed record MetricModel(string Name, string Type, double Value, IReadOnlyList<string> Tags, string Hostname);
