namespace PyChecks.AspNetCore.Json;

/// <summary>What went wrong: a message for people, a stable code for programs, and the request member at fault, if one is.</summary>
/// <remarks>Suggestions: for an unknown check name, the configured names close to it ("did you mean").</remarks>
internal sealed record ErrorDetail(string Message, string Code, string? Field = null, IReadOnlyList<string>? Suggestions = null);
