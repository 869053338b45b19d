using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PyChecks.Soak;

/// <summary>
/// Watches the scheduler from outside, as an exporter and a sender would: the <c>PyChecks</c> meter's run counter,
/// skipped counter and lateness histogram, and every commit a run hands to the senders, by check id.
/// </summary>
internal sealed class RunProbe : ISender, IDisposable
{
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<string, Counts> _commits = new(StringComparer.Ordinal);
    private LatencyHistogram _lateness = new();
    private long _runs;
    private long _skipped;

    public RunProbe()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == PyChecksTelemetry.MeterName
                    && instrument.Name is PyChecksTelemetry.CheckRuns or PyChecksTelemetry.CheckSkipped or PyChecksTelemetry.SchedulerLateness)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == PyChecksTelemetry.CheckRuns)
            {
                Interlocked.Add(ref _runs, value);
            }
            else
            {
                Interlocked.Add(ref _skipped, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => Volatile.Read(ref _lateness).Record(TimeSpan.FromSeconds(seconds)));
        _listener.Start();
    }

    /// <summary>Completed runs, from <c>pychecks.check.runs</c>.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Skipped runs, from <c>pychecks.check.skipped</c>.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Lateness since the last <see cref="ResetLateness"/>, from <c>pychecks.scheduler.lateness</c>.</summary>
    public LatencyHistogram Lateness => Volatile.Read(ref _lateness);

    public void ResetLateness() => Volatile.Write(ref _lateness, new LatencyHistogram());

    /// <summary>Commits (one per run that reached Python), and the metrics of those that succeeded, of one check id.</summary>
    public (long Commits, long Succeeded, long SucceededMetrics) CommitsOf(string checkId) =>
        _commits.TryGetValue(checkId, out var counts)
            ? (Interlocked.Read(ref counts.Commits), Interlocked.Read(ref counts.Succeeded), Interlocked.Read(ref counts.SucceededMetrics))
            : (0, 0, 0);

    public void SubmitMetric(in MetricSample sample)
    {
    }

    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
    }

    public void SubmitEvent(CheckEvent checkEvent)
    {
    }

    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
    }

    public void Commit(in CheckRunSummary run)
    {
        var counts = _commits.GetOrAdd(run.CheckId, static _ => new Counts());
        Interlocked.Increment(ref counts.Commits);
        if (run.Succeeded)
        {
            // An interrupted run commits what it submitted before the interrupt: only whole runs are counted here.
            Interlocked.Increment(ref counts.Succeeded);
            Interlocked.Add(ref counts.SucceededMetrics, run.Metrics);
        }
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Counts
    {
        public long Commits;
        public long Succeeded;
        public long SucceededMetrics;
    }
}
