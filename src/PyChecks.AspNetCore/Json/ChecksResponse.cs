namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>GET checks</c>.</summary>
internal sealed record ChecksResponse(IReadOnlyList<CheckStatusModel> Checks, IReadOnlyList<string> LoadErrors);
