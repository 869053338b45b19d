namespace PyChecks.AspNetCore.Json;

/// <summary>The body of <c>POST checks/{id}/cancel</c>.</summary>
/// <remarks>Cancelled: the run was interrupted. Pending (written only when true): the run is stuck in C code and takes the cancel when it returns to Python; Message says so.</remarks>
internal sealed record CancelResponse(string CheckId, bool Cancelled, bool? Pending = null, string? Message = null);
