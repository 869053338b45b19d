using Microsoft.Extensions.Logging;
using PyChecks.Telemetry;

namespace PyChecks.Checks.Isolation;

/// <summary>What the worker processes log, under the category <c>PyChecks.WorkerProcesses</c>.</summary>
internal sealed partial class WorkerLog(ILogger logger)
{
    public void Started(int slot, int pid, string python, double milliseconds) => LogStarted(logger, slot, pid, python, milliseconds);

    public void Ended(int slot, int pid, string how, double restartSeconds) => LogEnded(logger, slot, pid, how, restartSeconds);

    public void StartFailed(int slot, string reason, double retrySeconds) => LogStartFailed(logger, slot, reason, retrySeconds);

    public void Quarantined(string checkId, int crashes) => LogQuarantined(logger, checkId, crashes);

    public void MemoryLimit(int pid, long rssMiB, long limitMiB) => LogMemoryLimit(logger, pid, rssMiB, limitMiB);

    public void WorkerStderr(int slot, string line) => LogStderr(logger, slot, line);

    [LoggerMessage(EventId = EventIds.WorkerStarted, Level = LogLevel.Information, Message = "Worker process {Slot} started: pid {Pid}, Python {Python}, in {Milliseconds:0} ms")]
    private static partial void LogStarted(ILogger logger, int slot, int pid, string python, double milliseconds);

    [LoggerMessage(EventId = EventIds.WorkerEnded, Level = LogLevel.Warning, Message = "Worker process {Slot} (pid {Pid}) {How}; it restarts in {RestartSeconds:0.##} s")]
    private static partial void LogEnded(ILogger logger, int slot, int pid, string how, double restartSeconds);

    [LoggerMessage(EventId = EventIds.WorkerStartFailed, Level = LogLevel.Error, Message = "Worker process {Slot} did not start: {Reason}; next try in {RetrySeconds:0.##} s")]
    private static partial void LogStartFailed(ILogger logger, int slot, string reason, double retrySeconds);

    [LoggerMessage(EventId = EventIds.WorkerQuarantined, Level = LogLevel.Error, Message = "Check {CheckId} is quarantined: its last {Crashes} runs each ended its worker process; its runs are refused until it is reloaded")]
    private static partial void LogQuarantined(ILogger logger, string checkId, int crashes);

    [LoggerMessage(EventId = EventIds.WorkerMemoryLimit, Level = LogLevel.Error, Message = "Worker process {Pid} uses {RssMiB} MiB, past its limit of {LimitMiB} MiB: it is killed")]
    private static partial void LogMemoryLimit(ILogger logger, int pid, long rssMiB, long limitMiB);

    [LoggerMessage(EventId = EventIds.WorkerStderr, Level = LogLevel.Debug, Message = "Worker process {Slot} stderr: {Line}")]
    private static partial void LogStderr(ILogger logger, int slot, string line);
}
