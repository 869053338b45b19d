namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>GET profiles</c>.</summary>
internal sealed record ProfilesResponse(IReadOnlyList<ProfileTaskModel> Profiles);
