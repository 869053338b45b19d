namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>POST reload</c>: the check instances the reload added, removed and replaced.</summary>
internal sealed record ReloadResponse(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Replaced, int Unchanged, IReadOnlyList<string> Errors);
