namespace PyChecks.Checks.Isolation;

/// <summary>What a worker reports of an instance it loaded: what <see cref="ICheck"/> exposes besides running.</summary>
internal sealed record CheckIdentityInWorker(
    string Id,
    string Name,
    string Version,
    TimeSpan Interval,
    string Source,
    IReadOnlyList<string> LoadWarnings,
    IReadOnlyDictionary<string, string> Metadata);
