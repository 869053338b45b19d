namespace PyChecks.AspNetCore.Json;

/// <summary>The interpreter in <see cref="StatusResponse"/>.</summary>
internal sealed record PythonInfo(string Version, string Implementation, string LibraryPath, string FoundBy, string FullVersion);
