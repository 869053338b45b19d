namespace PyChecks.AspNetCore.Routing;

/// <summary>
/// The routes' shapes, for the catch-all endpoint to tell an unknown route (404) from a known one asked with the
/// wrong method (405, with <c>Allow</c>): the catch-all matches every method, so routing's own 405 never happens.
/// </summary>
internal static class RouteTable
{
    /// <summary>The method a path (relative to the API's prefix) allows, or <see langword="null"/> if no route has that shape.</summary>
    public static string? AllowedMethod(string? relativePath)
    {
        string[] s = (relativePath ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return s switch
        {
            ["status"] or ["checks"] or ["checks", _] or ["memory"] or ["cluster"] or ["metrics", "recent"] => "GET",
            ["checks", _, "run"] or ["checks", _, "cancel"] or ["reload"] => "POST",
            ["profiles"] => "GET, POST",
            ["profiles", _] => "GET, DELETE",
            ["profiles", _, "result"] => "GET",
            _ => null,
        };
    }
}
