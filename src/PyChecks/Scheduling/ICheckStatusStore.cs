namespace PyChecks;

/// <summary>The status of every scheduled check instance, kept up to date by the scheduler; safe to read from any thread.</summary>
public interface ICheckStatusStore
{
    /// <summary>Every scheduled instance (and those stopped by the last reload until they are forgotten), by check id.</summary>
    IReadOnlyList<CheckStatus> GetAll();

    /// <summary>One instance's status, or <see langword="null"/> if no instance has that id.</summary>
    /// <param name="checkId">The check id.</param>
    CheckStatus? Find(string checkId);

    /// <summary>Configurations that could not be read or loaded at the last (re)load, with their reason.</summary>
    IReadOnlyList<string> LoadErrors { get; }
}
