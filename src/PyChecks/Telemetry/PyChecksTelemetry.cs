namespace PyChecks;

/// <summary>
/// The names PyChecks publishes its telemetry under: one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="MeterName"/>. Subscribe to them (for
/// example with OpenTelemetry's <c>AddMeter("PyChecks")</c> and <c>AddSource("PyChecks")</c>) to export them.
/// </summary>
public static class PyChecksTelemetry
{
    /// <summary>The meter's name, created through <see cref="System.Diagnostics.Metrics.IMeterFactory"/>.</summary>
    public const string MeterName = "PyChecks";

    /// <summary>The activity source's name: one activity per check run.</summary>
    public const string ActivitySourceName = "PyChecks";

    /// <summary>The name of the activity of a check run.</summary>
    public const string CheckRunActivityName = "pychecks.check.run";

    /// <summary>Counter of completed check runs; tags <c>check</c> (name) and <c>status</c> (<c>ok</c>, <c>error</c>, <c>timeout</c>, <c>cancelled</c>).</summary>
    public const string CheckRuns = "pychecks.check.runs";

    /// <summary>Histogram of check run durations, in seconds; tags <c>check</c> and <c>status</c>.</summary>
    public const string CheckDuration = "pychecks.check.duration";

    /// <summary>
    /// Histogram of how long check runs waited for the GIL before their Python code started, in seconds (not part of
    /// <see cref="CheckDuration"/> nor of the run's timeout); tag <c>check</c>.
    /// </summary>
    public const string CheckGilWait = "pychecks.check.gil_wait";

    /// <summary>Observable gauge of the stand-in workers alive, each standing in for a worker stuck in a run.</summary>
    public const string WorkersStandIns = "pychecks.workers.standins";

    /// <summary>Counter of the times a stuck run got no stand-in worker because <c>MaxStandInWorkers</c> were alive (once per episode at the limit).</summary>
    public const string WorkersStandInLimitReached = "pychecks.workers.standin_limit_reached";

    /// <summary>Counter of what checks submitted; tags <c>check</c> and <c>kind</c> (<c>metric</c>, <c>service_check</c>, <c>event</c>, <c>histogram_bucket</c>).</summary>
    public const string CheckSamples = "pychecks.check.samples";

    /// <summary>Counter of runs skipped because the previous run of the instance was still in progress; tag <c>check</c>.</summary>
    public const string CheckSkipped = "pychecks.check.skipped";

    /// <summary>Histogram of how late runs started against their schedule, in seconds; tag <c>check</c>.</summary>
    public const string SchedulerLateness = "pychecks.scheduler.lateness";

    /// <summary>Counter of runs reported stuck (past their timeout and not returning after the interrupt); tag <c>check</c>.</summary>
    public const string SchedulerStuckRuns = "pychecks.scheduler.stuck_runs";

    /// <summary>Counter of what checks report about themselves with <c>datadog_agent.emit_agent_telemetry(..., "counter")</c>; tags <c>check</c> and <c>metric</c>.</summary>
    public const string CheckTelemetryCounter = "pychecks.check.telemetry.counter";

    /// <summary>Up-down counter of <c>emit_agent_telemetry(..., "gauge")</c> values (added, as the Agent does); tags <c>check</c> and <c>metric</c>.</summary>
    public const string CheckTelemetryGauge = "pychecks.check.telemetry.gauge";

    /// <summary>Histogram of <c>emit_agent_telemetry(..., "histogram")</c> values; tags <c>check</c> and <c>metric</c>.</summary>
    public const string CheckTelemetryHistogram = "pychecks.check.telemetry.histogram";

    /// <summary>Observable counter of exceptions thrown by <see cref="ISender"/>s (each isolated: the other senders still received the sample).</summary>
    public const string SenderErrors = "pychecks.sender.errors";

    /// <summary>Observable gauge of each worker process's resident memory (bytes); tag <c>slot</c>.</summary>
    public const string WorkerProcessMemory = "pychecks.worker_processes.memory";

    /// <summary>Observable counter of worker processes that ended and were (or will be) started again; tag <c>slot</c>.</summary>
    public const string WorkerProcessRestarts = "pychecks.worker_processes.restarts";
}
