namespace PyChecks;

/// <summary>No loader could load a check; the message names the check and gives each loader's reason.</summary>
public sealed class CheckLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    internal CheckLoadException(string checkName, IReadOnlyList<(string Loader, string Error)> errors)
        : base(Format(checkName, errors))
    {
        CheckName = checkName;
        Errors = errors;
    }

    /// <summary>The check that failed to load.</summary>
    public string CheckName { get; }

    /// <summary>Each loader's reason, in the order they were tried.</summary>
    public IReadOnlyList<(string Loader, string Error)> Errors { get; }

    private static string Format(string checkName, IReadOnlyList<(string Loader, string Error)> errors) =>
        errors.Count == 0
            ? $"Could not load check '{checkName}': no check loader is registered."
            : $"Could not load check '{checkName}':" + string.Concat(errors.Select(e => $"\n[{e.Loader}] {e.Error}"));
}
