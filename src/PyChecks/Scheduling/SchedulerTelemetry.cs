using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PyChecks.Scheduling;

/// <summary>The scheduler's instruments and activity source (see <see cref="PyChecksTelemetry"/> for the names).</summary>
internal sealed class SchedulerTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _samples;
    private readonly Counter<long> _skipped;
    private readonly Histogram<double> _lateness;
    private readonly Counter<long> _stuck;
    private readonly Histogram<double> _gilWait;
    private readonly Counter<long> _standInLimit;

    public SchedulerTelemetry(IMeterFactory meterFactory, Func<long> senderErrors)
    {
        _meter = meterFactory.Create(PyChecksTelemetry.MeterName);
        _runs = _meter.CreateCounter<long>(PyChecksTelemetry.CheckRuns, "{run}", "Completed check runs, by check and status.");
        _duration = _meter.CreateHistogram<double>(PyChecksTelemetry.CheckDuration, "s", "How long check runs took.");
        _samples = _meter.CreateCounter<long>(PyChecksTelemetry.CheckSamples, "{sample}", "What checks submitted, by kind.");
        _skipped = _meter.CreateCounter<long>(PyChecksTelemetry.CheckSkipped, "{run}", "Runs skipped because the previous run was still in progress.");
        _lateness = _meter.CreateHistogram<double>(PyChecksTelemetry.SchedulerLateness, "s", "How late runs started against their schedule.");
        _stuck = _meter.CreateCounter<long>(PyChecksTelemetry.SchedulerStuckRuns, "{run}", "Runs that overstayed their timeout and did not return after the interrupt.");
        _gilWait = _meter.CreateHistogram<double>(PyChecksTelemetry.CheckGilWait, "s", "How long check runs waited for the GIL before their Python code started.");
        _standInLimit = _meter.CreateCounter<long>(PyChecksTelemetry.WorkersStandInLimitReached, "{episode}", "Times a stuck run got no stand-in worker because the limit was reached.");
        _meter.CreateObservableCounter(PyChecksTelemetry.SenderErrors, senderErrors, "{error}", "Exceptions thrown by senders.");
    }

    public ActivitySource ActivitySource { get; } = new(PyChecksTelemetry.ActivitySourceName);

    public static string StatusTag(CheckRunOutcome outcome) => outcome switch
    {
        CheckRunOutcome.Ok => "ok",
        CheckRunOutcome.TimedOut => "timeout",
        CheckRunOutcome.Cancelled => "cancelled",
        _ => "error",
    };

    public Activity? StartRun(ICheck check)
    {
        var previous = Activity.Current;
        var activity = ActivitySource.StartActivity(PyChecksTelemetry.CheckRunActivityName, ActivityKind.Internal, parentContext: default);
        if (activity is not null)
        {
            activity.DisplayName = "check " + check.Name;
            activity.SetTag("pychecks.check.name", check.Name);
            activity.SetTag("pychecks.check.id", check.Id);

            // Runs are concurrent siblings: the scheduler loop must not become the parent of the next one.
            Activity.Current = previous;
        }

        return activity;
    }

    public void RunCompleted(ICheck check, Activity? activity, CheckRunOutcome outcome, CheckRunResult? result, string? error, TimeSpan duration)
    {
        var checkTag = new KeyValuePair<string, object?>("check", check.Name);
        var statusTag = new KeyValuePair<string, object?>("status", StatusTag(outcome));
        _runs.Add(1, checkTag, statusTag);
        _duration.Record(duration.TotalSeconds, checkTag, statusTag);
        if (result is not null)
        {
            _gilWait.Record(result.GilWait.TotalSeconds, checkTag);
        }
        if (result is not null && _samples.Enabled)
        {
            AddSamples(checkTag, "metric", result.Metrics);
            AddSamples(checkTag, "service_check", result.ServiceChecks);
            AddSamples(checkTag, "event", result.Events);
            AddSamples(checkTag, "histogram_bucket", result.HistogramBuckets);
        }

        if (activity is not null)
        {
            activity.SetTag("pychecks.check.status", StatusTag(outcome));
            if (outcome == CheckRunOutcome.Ok)
            {
                activity.SetStatus(ActivityStatusCode.Ok);
            }
            else
            {
                activity.SetStatus(ActivityStatusCode.Error, error);
                if (error is not null)
                {
                    activity.SetTag("pychecks.check.error", error);
                }
            }

            activity.Stop();
        }
    }

    public void Skipped(ICheck check, long count) => _skipped.Add(count, new KeyValuePair<string, object?>("check", check.Name));

    public void Lateness(ICheck check, TimeSpan lateness) =>
        _lateness.Record(Math.Max(0, lateness.TotalSeconds), new KeyValuePair<string, object?>("check", check.Name));

    public void Stuck(ICheck check) => _stuck.Add(1, new KeyValuePair<string, object?>("check", check.Name));

    public void StandInLimitReached() => _standInLimit.Add(1);

    /// <summary>Publishes the number of stand-in workers alive, read from <paramref name="current"/> at each collection.</summary>
    public void ObserveStandIns(Func<int> current) =>
        _meter.CreateObservableGauge(PyChecksTelemetry.WorkersStandIns, current, "{worker}", "Stand-in workers alive, each standing in for a worker stuck in a run.");

    /// <summary>Disposes the activity source; the meter belongs to the factory.</summary>
    public void Dispose() => ActivitySource.Dispose();

    private void AddSamples(KeyValuePair<string, object?> checkTag, string kind, int count)
    {
        if (count > 0)
        {
            _samples.Add(count, checkTag, new KeyValuePair<string, object?>("kind", kind));
        }
    }
}
