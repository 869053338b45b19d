using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Memory;

/// <summary>MemoryTracker publishes the memory counters as instruments of the PyChecks meter and as a snapshot.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class MemoryTrackerTests
{
    private static readonly string[] NativeInstruments =
    [
        MemoryTracker.AllocationsInstrument, MemoryTracker.FreesInstrument, MemoryTracker.AllocatedInstrument,
        MemoryTracker.FreedInstrument, MemoryTracker.InUseInstrument, MemoryTracker.UntrackedFreesInstrument,
    ];

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Instruments_OnTheMeterOfARealMeterFactory_ReportTheCountersWithTheirUnitsAndKinds(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>(), runtime);
        using var recorder = new InstrumentRecorder();

        // A fresh Python reading first: an observation waits only 50 ms for one, which a loaded machine can miss.
        tracker.GetSnapshotAsync().GetAwaiter().GetResult();
        var seen = recorder.Observe();
        var snapshot = tracker.GetSnapshot();

        Assert.That(recorder.Published.Keys, Is.EquivalentTo(NativeInstruments.Append(MemoryTracker.PythonBlocksInstrument).Append(MemoryTracker.PythonTracedInstrument)));
        Assert.Multiple(() =>
        {
            Assert.That(recorder.Published[MemoryTracker.AllocationsInstrument], Is.EqualTo(("ObservableCounter`1", "{allocation}")));
            Assert.That(recorder.Published[MemoryTracker.FreesInstrument], Is.EqualTo(("ObservableCounter`1", "{free}")));
            Assert.That(recorder.Published[MemoryTracker.AllocatedInstrument], Is.EqualTo(("ObservableCounter`1", "By")));
            Assert.That(recorder.Published[MemoryTracker.FreedInstrument], Is.EqualTo(("ObservableCounter`1", "By")));
            Assert.That(recorder.Published[MemoryTracker.InUseInstrument], Is.EqualTo(("ObservableUpDownCounter`1", "By")));
            Assert.That(recorder.Published[MemoryTracker.UntrackedFreesInstrument], Is.EqualTo(("ObservableCounter`1", "{free}")));
            Assert.That(recorder.Published[MemoryTracker.PythonBlocksInstrument], Is.EqualTo(("ObservableUpDownCounter`1", "{block}")));
            Assert.That(recorder.Published[MemoryTracker.PythonTracedInstrument], Is.EqualTo(("ObservableUpDownCounter`1", "By")));

            // Nothing allocates between the observation and the snapshot on this otherwise idle interpreter.
            Assert.That(seen[MemoryTracker.AllocationsInstrument], Is.EqualTo(snapshot.Native.Allocations));
            Assert.That(seen[MemoryTracker.AllocatedInstrument], Is.EqualTo(snapshot.Native.AllocatedBytes));
            Assert.That(seen[MemoryTracker.InUseInstrument], Is.EqualTo(snapshot.Native.InUseBytes));
            Assert.That(seen[MemoryTracker.InUseInstrument], Is.GreaterThan(0));
            Assert.That(seen[MemoryTracker.UntrackedFreesInstrument], Is.Zero);
            Assert.That(seen[MemoryTracker.PythonBlocksInstrument], Is.GreaterThan(1000), "an initialized interpreter holds thousands of blocks");
            Assert.That(seen.ContainsKey(MemoryTracker.PythonTracedInstrument), Is.False, "tracemalloc is not tracing");
        });

        tracker.Dispose();
        Assert.That(recorder.Observe(), Is.Empty, "a disposed tracker reports nothing");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonBlocks_FollowObjectsPythonKeepsAndReleases(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>());
        PyObject module;
        using (runtime.AcquireGil())
        {
            module = PyObject.CreateModule("keeper", "kept = []\ndef keep(n):\n    kept.extend(object() for _ in range(n))\ndef release():\n    kept.clear()\n");
        }

        long baseline = tracker.GetSnapshotAsync().GetAwaiter().GetResult().Python!.AllocatedBlocks;
        using (runtime.AcquireGil())
        {
            using var n = PyObject.From(100_000L);
            module.CallMethod("keep", n).Dispose();
        }

        long kept = tracker.GetSnapshotAsync().GetAwaiter().GetResult().Python!.AllocatedBlocks;
        using (runtime.AcquireGil())
        {
            module.CallMethod("release").Dispose();
            module.Dispose();
        }

        long released = tracker.GetSnapshotAsync().GetAwaiter().GetResult().Python!.AllocatedBlocks;
        Assert.That(kept - baseline, Is.InRange(100_000, 110_000));
        Assert.That(released - baseline, Is.LessThan(1_000));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Observing_WhileAnotherThreadHoldsTheGil_ReturnsThePreviousReadingWithoutWaitingForIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>(), runtime);
        var previous = tracker.GetSnapshotAsync().GetAwaiter().GetResult().Python!;
        using var recorder = new InstrumentRecorder();

        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using (runtime.AcquireGil())
            {
                holding.Set();
                release.Wait(); // a check stuck in C with the GIL held, until the test has looked
            }
        });
        holder.Start();
        holding.Wait();
        Task<MemorySnapshot> fresh;
        try
        {
            Eventually.That(() => DateTimeOffset.UtcNow - previous.MeasuredAt > MemoryTracker.ReadingLifetime, "the reading to go stale");

            var clock = Stopwatch.StartNew();
            var seen = recorder.Observe();
            var snapshot = tracker.GetSnapshot();
            clock.Stop();
            fresh = tracker.GetSnapshotAsync();
            Assert.Multiple(() =>
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "observation waited for the GIL");
                Assert.That(seen[MemoryTracker.PythonBlocksInstrument], Is.EqualTo(previous.AllocatedBlocks));
                Assert.That(snapshot.Python, Is.EqualTo(previous));
                Assert.That(fresh.IsCompleted, Is.False, "a fresh reading waits for the GIL");
            });
        }
        finally
        {
            release.Set();
            holder.Join();
        }

        Assert.That(fresh.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(fresh.Result.Python!.MeasuredAt, Is.GreaterThan(previous.MeasuredAt));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Snapshot_SerialisesToJson_NativeCountersPythonReadingAndTimestamps(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>(), runtime);
        var snapshot = tracker.GetSnapshotAsync().GetAwaiter().GetResult();

        string json = JsonSerializer.Serialize(snapshot, JsonSerializerOptions.Web);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "timestamp", "native", "python" }));
        Assert.That(root.GetProperty("native").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "allocations", "frees", "allocatedBytes", "freedBytes", "inUseBytes", "untrackedFrees",
        }));
        Assert.That(root.GetProperty("python").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "measuredAt", "allocatedBlocks", "tracedBytes", "tracedPeakBytes",
        }));
        Assert.That(root.GetProperty("native").GetProperty("inUseBytes").GetInt64(), Is.EqualTo(snapshot.Native.InUseBytes));
        Assert.That(root.GetProperty("python").GetProperty("tracedBytes").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(root.GetProperty("timestamp").GetDateTimeOffset(), Is.EqualTo(snapshot.Timestamp));
        Assert.That(JsonSerializer.Deserialize<MemorySnapshot>(json, JsonSerializerOptions.Web), Is.EqualTo(snapshot));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AfterShutdown_PythonFiguresAreGone_NativeCountersRemain(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>());
        using var recorder = new InstrumentRecorder();
        Assert.That(tracker.GetSnapshotAsync().GetAwaiter().GetResult().Python, Is.Not.Null);

        Assert.That(runtime.Shutdown(TimeSpan.FromSeconds(10)), Is.True);
        var snapshot = tracker.GetSnapshotAsync().GetAwaiter().GetResult();
        Assert.That(snapshot.Python, Is.Null);
        Assert.That(snapshot.Native.InUseBytes, Is.GreaterThan(0), "the module definitions live as long as the process");
        Assert.That(recorder.Observe().Keys, Is.EquivalentTo(NativeInstruments), "the Python instruments report nothing");
    });

    [Test]
    public void Snapshot_WithoutPython_HasNativeCountersAndNoPythonReading()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var tracker = new MemoryTracker(services.GetRequiredService<IMeterFactory>());
        var snapshot = tracker.GetSnapshotAsync().GetAwaiter().GetResult();
        Assert.That(snapshot.Python, Is.Null);
        Assert.That(snapshot.Native.InUseBytes, Is.EqualTo(snapshot.Native.AllocatedBytes - snapshot.Native.FreedBytes));
        Assert.That(JsonSerializer.Serialize(snapshot.Python), Is.EqualTo("null"));
    }

    [Test]
    public void AContainer_ConstructsTheTracker_WithItsMeterFactory_AndNoRuntimeRegistered()
    {
        using var services = new ServiceCollection().AddMetrics().AddSingleton<MemoryTracker>().BuildServiceProvider();
        using var recorder = new InstrumentRecorder();
        var tracker = services.GetRequiredService<MemoryTracker>();
        Assert.That(recorder.Published.Keys, Does.Contain(MemoryTracker.InUseInstrument));
        Assert.That(tracker.GetSnapshot().Native, Is.Not.Null);
    }

    /// <summary>Listens to the PyChecks meter and records the last value of each observable instrument.</summary>
    private sealed class InstrumentRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _values = [];

        public InstrumentRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MemoryTracker.MeterName && instrument.Name.StartsWith("pychecks.memory.", StringComparison.Ordinal))
                {
                    Published[instrument.Name] = (instrument.GetType().Name, instrument.Unit);
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _values[instrument.Name] = value);
            _listener.Start();
        }

        public Dictionary<string, (string Kind, string? Unit)> Published { get; } = [];

        public Dictionary<string, long> Observe()
        {
            _values.Clear();
            _listener.RecordObservableInstruments();
            return new Dictionary<string, long>(_values);
        }

        public void Dispose() => _listener.Dispose();
    }
}
