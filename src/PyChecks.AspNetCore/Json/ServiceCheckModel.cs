namespace PyChecks.AspNetCore.Json;

/// <summary>A service check submitted by a run, in <see cref="InstanceRunModel"/>.</summary>
internal sealed record ServiceCheckModel(string Name, string Status, string Message, IReadOnlyList<string> Tags, string Hostname);
