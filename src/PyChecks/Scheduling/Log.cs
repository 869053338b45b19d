using Microsoft.Extensions.Logging;
using PyChecks.Telemetry;

namespace PyChecks.Scheduling;

/// <summary>The scheduler's logs. Event ids are stable: alerting may key on them (see <see cref="EventIds"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.SchedulerStarted, LogLevel.Information, "PyChecks scheduler started with {CheckCount} check instance(s) on Python {PythonVersion} ({LibraryPath})")]
    public static partial void SchedulerStarted(ILogger logger, int checkCount, string pythonVersion, string libraryPath);

    [LoggerMessage(EventIds.SchedulerStopping, LogLevel.Information, "PyChecks scheduler stopping: cancelling {RunningCount} run(s) in progress")]
    public static partial void SchedulerStopping(ILogger logger, int runningCount);

    [LoggerMessage(EventIds.CheckScheduled, LogLevel.Debug, "Check {CheckId} scheduled every {Interval} (timeout {Timeout}), first run in {FirstRun}")]
    public static partial void CheckScheduled(ILogger logger, string checkId, TimeSpan interval, TimeSpan timeout, TimeSpan firstRun);

    [LoggerMessage(EventIds.CheckUnscheduled, LogLevel.Information, "Check {CheckId} unscheduled")]
    public static partial void CheckUnscheduled(ILogger logger, string checkId);

    [LoggerMessage(EventIds.CheckLoadFailed, LogLevel.Error, "A check configuration could not be loaded: {Reason}")]
    public static partial void CheckLoadFailed(ILogger logger, string reason);

    [LoggerMessage(EventIds.Reloaded, LogLevel.Information, "Check configuration reloaded: {Added} added, {Removed} removed, {Replaced} replaced, {Unchanged} unchanged, {Errors} error(s)")]
    public static partial void Reloaded(ILogger logger, int added, int removed, int replaced, int unchanged, int errors);

    [LoggerMessage(EventIds.RunFailed, LogLevel.Warning, "Check {CheckId} failed: {Error}")]
    public static partial void RunFailed(ILogger logger, string checkId, string error);

    [LoggerMessage(EventIds.RunTimedOut, LogLevel.Warning, "Check {CheckId} ran past its timeout of {Timeout} and was interrupted")]
    public static partial void RunTimedOut(ILogger logger, string checkId, TimeSpan timeout);

    [LoggerMessage(EventIds.RunStuck, LogLevel.Error, "Check {CheckId} is stuck: still running {Elapsed} after its timeout and its interrupt ({Cause}); {Action}")]
    public static partial void RunStuck(ILogger logger, string checkId, TimeSpan elapsed, string cause, string action);

    [LoggerMessage(EventIds.RunUnstuck, LogLevel.Information, "Check {CheckId} returned after being stuck")]
    public static partial void RunUnstuck(ILogger logger, string checkId);

    [LoggerMessage(EventIds.RunSkipped, LogLevel.Debug, "Check {CheckId} skipped {Count} run(s): the previous run was still in progress")]
    public static partial void RunSkipped(ILogger logger, string checkId, long count);

    [LoggerMessage(EventIds.RunWarning, LogLevel.Warning, "Check {CheckId} warned: {Warning}")]
    public static partial void RunWarning(ILogger logger, string checkId, string warning);

    [LoggerMessage(EventIds.SchedulerFailed, LogLevel.Error, "The PyChecks scheduler loop failed; checks are no longer scheduled")]
    public static partial void SchedulerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventIds.RunWaitingForGil, LogLevel.Warning, "Check {CheckId} is past its timeout of {Timeout} but not stuck: {Detail}. It ends when it gets the GIL; no stand-in worker is started, since one would wait for the GIL too")]
    public static partial void RunWaitingForGil(ILogger logger, string checkId, TimeSpan timeout, string detail);

    [LoggerMessage(EventIds.StandInLimitReached, LogLevel.Error, "The limit of {Limit} stand-in worker(s) is reached: check {CheckId} is stuck and got none; other checks share the remaining workers until a stuck run returns (MaxStandInWorkers)")]
    public static partial void StandInLimitReached(ILogger logger, int limit, string checkId);

    [LoggerMessage(EventIds.RunTimedOutAfterGilWait, LogLevel.Warning, "Check {CheckId} ran past its timeout of {Timeout} and was interrupted; the interrupt waited {GilWait} for the GIL held by other threads")]
    public static partial void RunTimedOutAfterGilWait(ILogger logger, string checkId, TimeSpan timeout, TimeSpan gilWait);

    [LoggerMessage(EventIds.PlacementApplied, LogLevel.Information, "Placement changed: {Added} instance(s) now run here, {Removed} no longer do; {Running} scheduled here")]
    public static partial void PlacementApplied(ILogger logger, int added, int removed, int running);
}
