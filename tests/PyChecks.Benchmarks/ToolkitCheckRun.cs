using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks;

/// <summary>
/// B4 with Datadog's real toolkit: <see cref="CheckRun"/>'s check and cases (10 gauges with 2 tags per run, on a
/// worker and from a host thread), subclassing <c>datadog_checks.base.AgentCheck</c> (see <see cref="DatadogToolkit"/>).
/// </summary>
/// <remarks>No target: the toolkit's <c>run()</c> does more per run than PyChecks' (instance deep copy, config models, tag checks).</remarks>
[Config(typeof(BenchmarkConfig))]
public class ToolkitCheckRun : CheckRun
{
    /// <inheritdoc/>
    protected override string AgentCheckImport => "from datadog_checks.base import AgentCheck";

    /// <inheritdoc/>
    protected override IReadOnlyList<string> SearchPaths() => DatadogToolkit.SearchPaths();
}
