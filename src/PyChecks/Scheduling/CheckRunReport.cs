namespace PyChecks;

/// <summary>What <see cref="ICheckScheduler.RunOnceAsync"/> ran.</summary>
/// <param name="CheckName">The check's name.</param>
/// <param name="Instances">One run per instance that loaded.</param>
/// <param name="Errors">Instances that could not be loaded, with the reason.</param>
public sealed record CheckRunReport(string CheckName, IReadOnlyList<CheckInstanceRun> Instances, IReadOnlyList<string> Errors);
