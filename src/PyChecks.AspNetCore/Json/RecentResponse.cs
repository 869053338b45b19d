namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>GET metrics/recent</c>.</summary>
internal sealed record RecentResponse(string? Check, int PerCheckLimit, int TotalLimit, IReadOnlyList<RecentSampleModel> Samples);
