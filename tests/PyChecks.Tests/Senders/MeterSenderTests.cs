using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Senders;

/// <summary>The Meter-based sender republishes check metrics as System.Diagnostics.Metrics instruments.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class MeterSenderTests
{
    [Test]
    public void EachMetricType_MapsToTheMatchingInstrument_WithTagsAsAttributes()
    {
        var seen = new List<(string Instrument, string Kind, double Value, Dictionary<string, object?> Attributes)>();
        using var meters = OwnMeterFactory();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var listener = Listen(seen, factory);
        using var sender = new MeterSender(factory);
        string[] tags = ["env:prod", "flag", "url:http://x:80"];
        Submit(sender, MetricType.Gauge, "g", 1.5, tags, "web-1");
        Submit(sender, MetricType.Rate, "r", 0.25, [], "");
        Submit(sender, MetricType.Count, "c", 3, [], "");
        Submit(sender, MetricType.Histogram, "h", 7, [], "");
        Submit(sender, MetricType.MonotonicCount, "m", 10, [], "");
        Submit(sender, MetricType.MonotonicCount, "m", 14, [], "");
        Submit(sender, MetricType.MonotonicCount, "m", 14, [], "");

        Assert.That(seen.Select(s => (s.Instrument, s.Kind, s.Value)), Is.EqualTo(new[]
        {
            ("g", "Gauge`1", 1.5), ("r", "Gauge`1", 0.25), ("c", "Counter`1", 3.0), ("h", "Histogram`1", 7.0), ("m", "Counter`1", 4.0),
        }), "a monotonic count reports its increase, not its first value nor a zero increase");
        Assert.That(seen[0].Attributes, Is.EqualTo(new Dictionary<string, object?> { ["env"] = "prod", ["flag"] = "", ["url"] = "http://x:80", ["host"] = "web-1" }));
    }

    [Test]
    public void MonotonicCount_WithFlushFirstValue_ReportsTheFirstValue()
    {
        var seen = new List<(string Instrument, string Kind, double Value, Dictionary<string, object?> Attributes)>();
        using var meters = OwnMeterFactory();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var listener = Listen(seen, factory);
        using var sender = new MeterSender(factory);
        Submit(sender, MetricType.MonotonicCount, "first", 5, [], "", flushFirst: true);
        Assert.That(seen.Single().Value, Is.EqualTo(5.0));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ACheckGauge_ArrivesAtAMeterListener(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("temp", "from datadog_checks.base import AgentCheck\nclass T(AgentCheck):\n    def check(self, i):\n        self.gauge('room.temperature', 21.5, tags=['room:kitchen'])\n")
            .Config("temp", "instances: [{}]\n");
        var seen = new List<(string Instrument, string Kind, double Value, Dictionary<string, object?> Attributes)>();
        using var listener = Listen(seen);
        using var meterSender = new MeterSender();
        using var host = folder.Start([meterSender]);
        CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();
        var gauge = seen.Single();
        Assert.That((gauge.Instrument, gauge.Kind, gauge.Value), Is.EqualTo(("room.temperature", "Gauge`1", 21.5)));
        Assert.That(gauge.Attributes, Is.EqualTo(new Dictionary<string, object?> { ["room"] = "kitchen" }));
    });

    private static void Submit(MeterSender sender, MetricType type, string name, double value, string[] tags, string hostname, bool flushFirst = false) =>
        sender.SubmitMetric(new MetricSample { CheckId = "c:1", Type = type, Name = name, Value = value, Tags = tags, Hostname = hostname, FlushFirstValue = flushFirst });

    /// <summary>A meter factory of the test's own: tests running in parallel each listen only to their own sender's instruments.</summary>
    private static ServiceProvider OwnMeterFactory() => new ServiceCollection().AddMetrics().BuildServiceProvider();

    private static MeterListener Listen(List<(string, string, double, Dictionary<string, object?>)> seen, IMeterFactory? scope = null)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MeterSender.MeterName && (scope is null || ReferenceEquals(instrument.Meter.Scope, scope)))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var attributes = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                attributes[tag.Key] = tag.Value;
            }

            lock (seen)
            {
                seen.Add((instrument.Name, instrument.GetType().Name, value, attributes));
            }
        });
        listener.Start();
        return listener;
    }
}
