namespace PyChecks.Telemetry;

/// <summary>
/// Every event id PyChecks logs with, in one place: hosts filter and alert on them, so an id never changes meaning
/// and is never reused. Each <c>[LoggerMessage]</c> of the assembly takes its id from here; <c>docs/telemetry.md</c>
/// lists them.
/// </summary>
internal static class EventIds
{
    // Checks: the submission router (100–103).
    public const int SenderFailed = 100;
    public const int Unrouted = 101;
    public const int TagNotUtf8 = 102;
    public const int TelemetryRefused = 103;

    // Built-in modules (104, 200).
    public const int SubprocessNotStarted = 104;
    public const int PythonLog = 200;

    // LoggingSender (300–307).
    public const int SenderMetric = 300;
    public const int SenderServiceCheck = 301;
    public const int SenderEvent = 302;
    public const int SenderHistogramBucket = 303;
    public const int SenderCommit = 304;
    public const int SenderCheckLog = 305;
    public const int SenderExternalTags = 306;
    public const int SenderPlatformEvent = 307;

    // The scheduler (1001–1016, 1040–1043).
    public const int SchedulerStarted = 1001;
    public const int SchedulerStopping = 1002;
    public const int CheckScheduled = 1003;
    public const int CheckUnscheduled = 1004;
    public const int CheckLoadFailed = 1005;
    public const int Reloaded = 1006;
    public const int RunFailed = 1010;
    public const int RunTimedOut = 1011;
    public const int RunStuck = 1012;
    public const int RunUnstuck = 1013;
    public const int RunSkipped = 1014;
    public const int RunWarning = 1015;
    public const int SchedulerFailed = 1016;
    public const int RunWaitingForGil = 1040;
    public const int StandInLimitReached = 1041;
    public const int RunTimedOutAfterGilWait = 1042;
    public const int PlacementApplied = 1043;

    // The check host (1007, 1017).
    public const int ConfigurationNotRun = 1007;
    public const int PythonNotFinalized = 1017;

    // The profiler (1101–1103).
    public const int ProfileStarted = 1101;
    public const int ProfileEnded = 1102;
    public const int ProfileReaderDisagreed = 1103;

    // Worker processes (1201–1206).
    public const int WorkerStarted = 1201;
    public const int WorkerEnded = 1202;
    public const int WorkerStartFailed = 1203;
    public const int WorkerQuarantined = 1204;
    public const int WorkerMemoryLimit = 1205;
    public const int WorkerStderr = 1206;
}
