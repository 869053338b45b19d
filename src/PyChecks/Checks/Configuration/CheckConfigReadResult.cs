namespace PyChecks.Checks.Configuration;

/// <summary>What <see cref="CheckConfigReader.ReadDirectory"/> found: the usable configurations, and one error per file (or directory) that was not.</summary>
internal sealed record CheckConfigReadResult(IReadOnlyList<CheckConfig> Configs, IReadOnlyList<CheckConfigurationException> Errors);
