namespace PyChecks.AspNetCore.Json;

/// <summary>The body of every error response: <c>{"error": {…}}</c>.</summary>
internal sealed record ErrorResponse(ErrorDetail Error);
