namespace PyChecks;

/// <summary>What a <see cref="ICheckScheduler.ReloadAsync"/> changed.</summary>
/// <param name="Added">Check ids newly scheduled.</param>
/// <param name="Removed">Check ids no longer configured, now stopped.</param>
/// <param name="Replaced">Check ids reloaded because their module's file changed.</param>
/// <param name="Unchanged">How many instances kept running as they were.</param>
/// <param name="Errors">Configurations that could not be read or loaded, with the reason (file and line where known).</param>
public sealed record CheckReloadResult(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Replaced,
    int Unchanged,
    IReadOnlyList<string> Errors);
