using Microsoft.Extensions.Logging;
using PyChecks.Telemetry;

namespace PyChecks.Profiling;

/// <summary>The profiler's logs. Event ids are stable: alerting may key on them (see <see cref="EventIds"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.ProfileStarted, LogLevel.Information, "Profile task {TaskId} started on check {CheckId}: {Duration} at one sample every {Interval}")]
    public static partial void ProfileStarted(ILogger logger, string taskId, string checkId, TimeSpan duration, TimeSpan interval);

    [LoggerMessage(EventIds.ProfileEnded, LogLevel.Information, "Profile task {TaskId} on check {CheckId} ended {State}: {Samples} sample(s) of {Runs} run(s). {Message}")]
    public static partial void ProfileEnded(ILogger logger, string taskId, string checkId, ProfileTaskState state, long samples, int runs, string message);

    [LoggerMessage(EventIds.ProfileReaderDisagreed, LogLevel.Warning, "The profiler's read of a stack without the GIL disagreed with its walk under the GIL ({Detail}); from now on it samples under the GIL only")]
    public static partial void ReaderDisagreed(ILogger logger, string detail);
}
