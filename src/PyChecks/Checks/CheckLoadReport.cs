namespace PyChecks;

/// <summary>The checks that loaded, and why the others did not.</summary>
public sealed record CheckLoadReport
{
    // Only PyChecks creates these; hosts read them.
    internal CheckLoadReport(IReadOnlyList<ICheck> checks, IReadOnlyList<Exception> errors)
    {
        Checks = checks;
        Errors = errors;
    }

    /// <summary>The loaded check instances.</summary>
    public IReadOnlyList<ICheck> Checks { get; }

    /// <summary>Configuration errors (<see cref="CheckConfigurationException"/>) and load errors (<see cref="CheckLoadException"/>).</summary>
    public IReadOnlyList<Exception> Errors { get; }
}
