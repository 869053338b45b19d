using Microsoft.Extensions.Logging;

namespace PyChecks.Telemetry;

/// <summary>The scheduler's logs. Event ids are stable: alerting may key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "PyChecks scheduler started with {CheckCount} check instance(s) on Python {PythonVersion} ({LibraryPath})")]
    public static partial void SchedulerStarted(ILogger logger, int checkCount, string pythonVersion, string libraryPath);

    [LoggerMessage(1002, LogLevel.Information, "PyChecks scheduler stopping: cancelling {RunningCount} run(s) in progress")]
    public static partial void SchedulerStopping(ILogger logger, int runningCount);

    [LoggerMessage(1003, LogLevel.Debug, "Check {CheckId} scheduled every {Interval} (timeout {Timeout}), first run in {FirstRun}")]
    public static partial void CheckScheduled(ILogger logger, string checkId, TimeSpan interval, TimeSpan timeout, TimeSpan firstRun);

    [LoggerMessage(1004, LogLevel.Information, "Check {CheckId} unscheduled")]
    public static partial void CheckUnscheduled(ILogger logger, string checkId);

    [LoggerMessage(1005, LogLevel.Error, "A check configuration could not be loaded: {Reason}")]
    public static partial void CheckLoadFailed(ILogger logger, string reason);

    [LoggerMessage(1006, LogLevel.Information, "Check configuration reloaded: {Added} added, {Removed} removed, {Replaced} replaced, {Unchanged} unchanged, {Errors} error(s)")]
    public static partial void Reloaded(ILogger logger, int added, int removed, int replaced, int unchanged, int errors);

    [LoggerMessage(1007, LogLevel.Information, "{Source} configures no check instance to run: {Reason}")]
    public static partial void ConfigurationNotRun(ILogger logger, string source, string reason);

    [LoggerMessage(1010, LogLevel.Warning, "Check {CheckId} failed: {Error}")]
    public static partial void RunFailed(ILogger logger, string checkId, string error);

    [LoggerMessage(1011, LogLevel.Warning, "Check {CheckId} ran past its timeout of {Timeout} and was interrupted")]
    public static partial void RunTimedOut(ILogger logger, string checkId, TimeSpan timeout);

    [LoggerMessage(1012, LogLevel.Error, "Check {CheckId} is stuck: still running {Elapsed} after its timeout and its interrupt ({Cause}); {Action}")]
    public static partial void RunStuck(ILogger logger, string checkId, TimeSpan elapsed, string cause, string action);

    [LoggerMessage(1013, LogLevel.Information, "Check {CheckId} returned after being stuck")]
    public static partial void RunUnstuck(ILogger logger, string checkId);

    [LoggerMessage(1014, LogLevel.Debug, "Check {CheckId} skipped {Count} run(s): the previous run was still in progress")]
    public static partial void RunSkipped(ILogger logger, string checkId, long count);

    [LoggerMessage(1015, LogLevel.Warning, "Check {CheckId} warned: {Warning}")]
    public static partial void RunWarning(ILogger logger, string checkId, string warning);

    [LoggerMessage(1016, LogLevel.Error, "The PyChecks scheduler loop failed; checks are no longer scheduled")]
    public static partial void SchedulerFailed(ILogger logger, Exception exception);

    [LoggerMessage(1017, LogLevel.Warning, "Python was not finalized within the shutdown timeout of {Timeout}: {Reason}. The interpreter is left as it is, refusing new work; the process can exit")]
    public static partial void PythonNotFinalized(ILogger logger, TimeSpan timeout, string reason);

    [LoggerMessage(1040, LogLevel.Warning, "Check {CheckId} is past its timeout of {Timeout} but not stuck: {Detail}. It ends when it gets the GIL; no stand-in worker is started, since one would wait for the GIL too")]
    public static partial void RunWaitingForGil(ILogger logger, string checkId, TimeSpan timeout, string detail);

    [LoggerMessage(1041, LogLevel.Error, "The limit of {Limit} stand-in worker(s) is reached: check {CheckId} is stuck and got none; other checks share the remaining workers until a stuck run returns (MaxStandInWorkers)")]
    public static partial void StandInLimitReached(ILogger logger, int limit, string checkId);

    [LoggerMessage(1042, LogLevel.Warning, "Check {CheckId} ran past its timeout of {Timeout} and was interrupted; the interrupt waited {GilWait} for the GIL held by other threads")]
    public static partial void RunTimedOutAfterGilWait(ILogger logger, string checkId, TimeSpan timeout, TimeSpan gilWait);

    [LoggerMessage(1101, LogLevel.Information, "Profile task {TaskId} started on check {CheckId}: {Duration} at one sample every {Interval}")]
    public static partial void ProfileStarted(ILogger logger, string taskId, string checkId, TimeSpan duration, TimeSpan interval);

    [LoggerMessage(1102, LogLevel.Information, "Profile task {TaskId} on check {CheckId} ended {State}: {Samples} sample(s) of {Runs} run(s). {Message}")]
    public static partial void ProfileEnded(ILogger logger, string taskId, string checkId, ProfileTaskState state, long samples, int runs, string message);
}
