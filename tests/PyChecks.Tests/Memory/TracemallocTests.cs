using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Memory;

/// <summary>Datadog's tracemalloc_enabled: off by default; when on, each run reports its Python memory delta.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TracemallocTests
{
    private const string GrowingCheck = """
        import datadog_agent
        from datadog_checks.base import AgentCheck

        class GrowingCheck(AgentCheck):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.kept = []

            def check(self, instance):
                self.gauge('tracemalloc.enabled', 1 if datadog_agent.tracemalloc_enabled() else 0)
                self.kept.append(bytearray(1_000_000))
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TracemallocEnabled_EachRunReportsItsPythonMemoryDelta_AndTheAgentSaysSo(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("growing", GrowingCheck).Config("growing", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => o.TracemallocEnabled = true);
        var check = CheckFolder.LoadAll(host).Single();

        var first = check.RunAsync().GetAwaiter().GetResult();
        var second = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(first.Succeeded, Is.True, first.Error + first.Traceback);
        Assert.That(first.PythonMemoryDelta, Is.InRange(1_000_000, 1_100_000));
        Assert.That(second.PythonMemoryDelta, Is.InRange(1_000_000, 1_100_000));
        Assert.That(sender.Metrics.Select(m => m.Value), Is.EqualTo(new[] { 1.0, 1.0 }), "datadog_agent.tracemalloc_enabled() is True");

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>(), host.Runtime);
        var python = tracker.GetSnapshotAsync().GetAwaiter().GetResult().Python!;
        Assert.That(python.TracedBytes, Is.GreaterThan(2_000_000));
        Assert.That(python.TracedPeakBytes, Is.GreaterThanOrEqualTo(python.TracedBytes!.Value));
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ByDefault_NoDeltaIsRecorded_AndTheAgentSaysTracemallocIsOff(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("growing", GrowingCheck).Config("growing", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();

        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(result.PythonMemoryDelta, Is.Null);
        Assert.That(sender.Metrics.Single().Value, Is.EqualTo(0.0), "datadog_agent.tracemalloc_enabled() is False");
        using (host.Runtime.AcquireGil())
        {
            using var tracemalloc = PyObject.Import("tracemalloc");
            Assert.That(tracemalloc.CallMethod("is_tracing").As<bool>(), Is.False);
        }

        check.Dispose();
    });
}
