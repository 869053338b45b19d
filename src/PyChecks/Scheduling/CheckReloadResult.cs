using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>What a <see cref="ICheckScheduler.ReloadAsync"/> changed.</summary>
public sealed record CheckReloadResult
{
    // The scheduler builds it positionally; hosts read it by name.
    [SetsRequiredMembers]
    internal CheckReloadResult(IReadOnlyList<string> added, IReadOnlyList<string> removed, IReadOnlyList<string> replaced, int unchanged, IReadOnlyList<string> errors)
    {
        Added = added;
        Removed = removed;
        Replaced = replaced;
        Unchanged = unchanged;
        Errors = errors;
    }

    /// <summary>Check ids newly scheduled.</summary>
    public required IReadOnlyList<string> Added { get; init; }

    /// <summary>Check ids no longer configured, now stopped.</summary>
    public required IReadOnlyList<string> Removed { get; init; }

    /// <summary>Check ids reloaded because their module's file changed.</summary>
    public required IReadOnlyList<string> Replaced { get; init; }

    /// <summary>How many instances kept running as they were.</summary>
    public required int Unchanged { get; init; }

    /// <summary>Configurations that could not be read or loaded, with the reason (file and line where known).</summary>
    public required IReadOnlyList<string> Errors { get; init; }
}
