using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>The scheduler's instruments and activities, observed the way exporters observe them.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TelemetryTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void CheckRuns_AreCountedTimedAndTraced_WithCheckAndStatusTags(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PyChecksTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            measurements.Enqueue((instrument.Name, value, copy));
        }

        meters.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        meters.Start();

        var activities = new ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PyChecksTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);

        var folder = new CheckFolder().Check("good", """
            from datadog_checks.base import AgentCheck

            class GoodCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('a', 1)
                    self.gauge('b', 2)
                    self.service_check('up', AgentCheck.OK)
            """).Check("bad", """
            from datadog_checks.base import AgentCheck

            class BadCheck(AgentCheck):
                def check(self, instance):
                    raise RuntimeError('boom')
            """).Config("good", "instances: [{}]").Config("bad", "instances: [{}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => activities.Count == 2, "one activity per run");

        var runs = measurements.Where(m => m.Instrument == PyChecksTelemetry.CheckRuns).ToList();
        Assert.That(runs.Select(r => (r.Tags["check"], r.Tags["status"], r.Value)), Is.EquivalentTo(new[] { ((object?)"good", (object?)"ok", 1.0), ("bad", "error", 1.0) }));
        Assert.That(measurements.Where(m => m.Instrument == PyChecksTelemetry.CheckDuration).Select(m => m.Tags["check"]), Is.EquivalentTo(new[] { "good", "bad" }));
        Assert.That(measurements.Where(m => m.Instrument == PyChecksTelemetry.CheckDuration).Select(m => m.Value), Is.All.GreaterThan(0).And.All.LessThan(10));
        var samples = measurements.Where(m => m.Instrument == PyChecksTelemetry.CheckSamples).ToList();
        Assert.That(samples.Select(s => (s.Tags["check"], s.Tags["kind"], s.Value)), Is.EquivalentTo(new[] { ((object?)"good", (object?)"metric", 2.0), ("good", "service_check", 1.0) }));
        Assert.That(measurements.Where(m => m.Instrument == PyChecksTelemetry.SchedulerLateness).Select(m => m.Value).ToList(), Has.Count.EqualTo(2).And.All.GreaterThanOrEqualTo(0));

        var bad = activities.Single(a => Equals(a.GetTagItem("pychecks.check.name"), "bad"));
        Assert.That(bad.OperationName, Is.EqualTo(PyChecksTelemetry.CheckRunActivityName));
        Assert.That(bad.DisplayName, Is.EqualTo("check bad"));
        Assert.That(bad.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(bad.StatusDescription, Is.EqualTo("boom"));
        Assert.That(bad.GetTagItem("pychecks.check.status"), Is.EqualTo("error"));
        Assert.That(bad.GetTagItem("pychecks.check.id"), Is.EqualTo(hosted.StatusOf("bad").CheckId));
        var good = activities.Single(a => Equals(a.GetTagItem("pychecks.check.name"), "good"));
        Assert.That(good.Status, Is.EqualTo(ActivityStatusCode.Ok));
        Assert.That(good.Parent, Is.Null, "runs are not nested under one another");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void SkippedRunsAndSenderErrors_AreCounted(PythonInstall install) => Isolated.Run(install, static () =>
    {
        long skipped = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PyChecksTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        long senderErrors = -1;
        meters.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == PyChecksTelemetry.CheckSkipped)
            {
                Interlocked.Add(ref skipped, value);
            }
            else if (instrument.Name == PyChecksTelemetry.SenderErrors)
            {
                Interlocked.Exchange(ref senderErrors, value);
            }
        });
        meters.Start();

        var folder = new CheckFolder().Check("slow", """
            import threading
            from datadog_checks.base import AgentCheck

            class SlowCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('slow', 1)
                    threading.Event().wait(30)
            """).Config("slow", "instances: [{min_collection_interval: 1, run_timeout: 3600}]");
        using var hosted = HostedChecks.Start(folder, services: s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<ISender, ThrowingSender>(s));
        Eventually.That(() => hosted.Sender.Metrics.Count == 1, "the slow run");
        hosted.Advance(TimeSpan.FromSeconds(1));
        hosted.Advance(TimeSpan.FromSeconds(1));
        Eventually.That(() => Interlocked.Read(ref skipped) == 2, "two skipped runs counted");

        meters.RecordObservableInstruments();
        Assert.That(Interlocked.Read(ref senderErrors), Is.GreaterThanOrEqualTo(1), "the throwing sender's error is counted");
    });

    private sealed class ThrowingSender : ISender
    {
        public void SubmitMetric(in MetricSample sample) => throw new InvalidOperationException("sender down");

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
        }
    }
}
