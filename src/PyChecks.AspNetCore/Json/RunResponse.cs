namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>POST checks/{name}/run</c>.</summary>
internal sealed record RunResponse(string CheckName, IReadOnlyList<InstanceRunModel> Instances, IReadOnlyList<string> Errors);
