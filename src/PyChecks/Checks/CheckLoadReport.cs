namespace PyChecks;

/// <summary>The checks that loaded, and why the others did not.</summary>
/// <param name="Checks">The loaded check instances.</param>
/// <param name="Errors">Configuration errors (<see cref="CheckConfigurationException"/>) and load errors (<see cref="CheckLoadException"/>).</param>
public sealed record CheckLoadReport(IReadOnlyList<ICheck> Checks, IReadOnlyList<Exception> Errors);
