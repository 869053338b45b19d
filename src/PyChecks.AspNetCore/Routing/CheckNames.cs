namespace PyChecks.AspNetCore.Routing;

/// <summary>What a check name or id in a URL may look like, checked before anything looks it up.</summary>
internal static class CheckNames
{
    private const int MaxLength = 200;

    /// <summary>
    /// A check name is a Python module name, possibly dotted: letters, digits, <c>_</c>, <c>-</c> and single dots
    /// between parts. Anything else — slashes, <c>..</c>, encoded characters — is refused before
    /// <see cref="ICheckScheduler.RunOnceAsync"/> is asked (which imports nothing but configured checks anyway).
    /// </summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] == '.' || name[^1] == '.' || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A check id (<c>name:digest</c>, <c>name:instance:digest</c>): printable, no path characters, bounded.</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 4 * MaxLength || id.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in id)
        {
            if (char.IsControl(c) || c is '/' or '\\')
            {
                return false;
            }
        }

        return true;
    }
}
