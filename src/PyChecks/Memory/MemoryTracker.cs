using System.Diagnostics.Metrics;
using PyChecks.Interop;
using PyChecks.Memory;

namespace PyChecks;

/// <summary>
/// Publishes the memory PyChecks accounts for — the native memory it allocates at the boundary with CPython, and
/// Python's heap — as observable instruments on the <see cref="MeterName"/> meter, and as a <see cref="MemorySnapshot"/>.
/// </summary>
/// <remarks>
/// <para>
/// Built for dependency injection: register it as a singleton; the container supplies <see cref="IMeterFactory"/>
/// (<c>services.AddMetrics()</c>) and, when registered, the <see cref="PythonRuntime"/>. Without a runtime it reads
/// <see cref="PythonRuntime.Current"/> at each measurement, so it can be created before Python starts.
/// </para>
/// <para>
/// Native counters are read lock-free and never block. Python's heap needs the GIL: a background thread of this
/// tracker takes it, so observing an instrument never waits on a check that holds the GIL longer than
/// <see cref="ObservationWait"/>; when the GIL is not had by then, the instrument reports the previous reading.
/// Readings younger than <see cref="ReadingLifetime"/> are reused. Instrument callbacks may run on any thread.
/// </para>
/// <para>
/// The meter belongs to the factory (so other PyChecks instruments can share it): <see cref="Dispose"/> stops the
/// background thread and makes this tracker's instruments report nothing, and the factory disposes the meter.
/// Create one tracker per meter factory (a singleton): each one adds its own set of instruments to the shared meter.
/// </para>
/// </remarks>
public sealed class MemoryTracker : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = PyChecksTelemetry.MeterName;

    /// <summary>Counter, <c>{allocation}</c>: native blocks the library allocated.</summary>
    public const string AllocationsInstrument = "pychecks.memory.allocations";

    /// <summary>Counter, <c>{free}</c>: tracked native blocks freed.</summary>
    public const string FreesInstrument = "pychecks.memory.frees";

    /// <summary>Counter, <c>By</c>: native bytes allocated.</summary>
    public const string AllocatedInstrument = "pychecks.memory.allocated";

    /// <summary>Counter, <c>By</c>: native bytes freed.</summary>
    public const string FreedInstrument = "pychecks.memory.freed";

    /// <summary>Up-down counter, <c>By</c>: native bytes in use.</summary>
    public const string InUseInstrument = "pychecks.memory.inuse";

    /// <summary>Counter, <c>{free}</c>: frees of pointers the tracked allocator never returned.</summary>
    public const string UntrackedFreesInstrument = "pychecks.memory.untracked_frees";

    /// <summary>Up-down counter, <c>{block}</c>: Python's allocated memory blocks (<c>sys.getallocatedblocks()</c>).</summary>
    public const string PythonBlocksInstrument = "pychecks.memory.python.blocks";

    /// <summary>Up-down counter, <c>By</c>: Python bytes traced by tracemalloc; reported only while tracemalloc traces.</summary>
    public const string PythonTracedInstrument = "pychecks.memory.python.traced";

    /// <summary>How long an instrument callback waits for a fresh Python reading before reporting the previous one.</summary>
    internal static readonly TimeSpan ObservationWait = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a Python reading is reused by instrument callbacks and <see cref="GetSnapshot"/>.</summary>
    internal static readonly TimeSpan ReadingLifetime = TimeSpan.FromSeconds(1);

    private readonly PythonRuntime? _runtime;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private PythonHeapReading? _python;
    private TaskCompletionSource<PythonHeapReading?>? _pending;
    private Thread? _reader;
    private volatile bool _disposed;

    /// <summary>Creates the tracker and its instruments on the <see cref="MeterName"/> meter of <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">Creates (and owns) the meter.</param>
    /// <param name="runtime">The interpreter whose heap is read; <see langword="null"/> for <see cref="PythonRuntime.Current"/> at each reading.</param>
    public MemoryTracker(IMeterFactory meterFactory, PythonRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _runtime = runtime;
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        meter.CreateObservableCounter(AllocationsInstrument, () => Native(TrackedAllocator.Allocations), "{allocation}", "Native memory blocks PyChecks allocated at the boundary with CPython.");
        meter.CreateObservableCounter(FreesInstrument, () => Native(TrackedAllocator.Frees), "{free}", "Tracked native memory blocks freed.");
        meter.CreateObservableCounter(AllocatedInstrument, () => Native(TrackedAllocator.AllocatedBytes), "By", "Native bytes allocated.");
        meter.CreateObservableCounter(FreedInstrument, () => Native(TrackedAllocator.FreedBytes), "By", "Native bytes freed.");
        meter.CreateObservableUpDownCounter(InUseInstrument, () => Native(TrackedAllocator.InUseBytes), "By", "Native bytes allocated and not yet freed.");
        meter.CreateObservableCounter(UntrackedFreesInstrument, () => Native(TrackedAllocator.UntrackedFrees), "{free}", "Frees of pointers the tracked allocator never returned.");
        meter.CreateObservableUpDownCounter(PythonBlocksInstrument, () => Python(static r => r.AllocatedBlocks), "{block}", "Memory blocks allocated by Python's object allocator (sys.getallocatedblocks()).");
        meter.CreateObservableUpDownCounter(PythonTracedInstrument, () => Python(static r => r.TracedBytes), "By", "Python bytes traced by tracemalloc, while it traces.");
    }

    /// <summary>
    /// The native counters now and the latest Python reading; never waits for the GIL. A Python reading older than
    /// <see cref="ReadingLifetime"/> is renewed in the background for the next call.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tracker was disposed.</exception>
    public MemorySnapshot GetSnapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reading = Volatile.Read(ref _python);
        if (!IsFresh(reading))
        {
            _ = RequestReading();
        }

        return new MemorySnapshot(DateTimeOffset.UtcNow, ReadNative(), reading);
    }

    /// <summary>
    /// The native counters and a Python reading taken after this call (the GIL is taken on the tracker's thread, so a
    /// check holding it delays the result, not the caller's thread).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the Python reading; the task is then cancelled.</param>
    /// <exception cref="ObjectDisposedException">The tracker was disposed.</exception>
    public async Task<MemorySnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reading = await RequestReading().WaitAsync(cancellationToken).ConfigureAwait(false);
        return new MemorySnapshot(DateTimeOffset.UtcNow, ReadNative(), reading);
    }

    /// <summary>Stops the tracker's thread; its instruments report nothing from now on. Does not dispose the meter (the factory owns it).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_gate)
        {
            _pending?.TrySetResult(Volatile.Read(ref _python));
            _pending = null;
        }

        _wake.Release();
    }

    internal static NativeMemoryCounters ReadNative()
    {
        long freed = TrackedAllocator.FreedBytes; // before allocated, as in TrackedAllocator.InUseBytes
        long allocated = TrackedAllocator.AllocatedBytes;
        return new NativeMemoryCounters
        {
            Allocations = TrackedAllocator.Allocations,
            Frees = TrackedAllocator.Frees,
            AllocatedBytes = allocated,
            FreedBytes = freed,
            InUseBytes = allocated - freed,
            UntrackedFrees = TrackedAllocator.UntrackedFrees,
        };
    }

    private static bool IsFresh(PythonHeapReading? reading) => reading is not null && DateTimeOffset.UtcNow - reading.MeasuredAt < ReadingLifetime;

    private IEnumerable<Measurement<long>> Native(long value) => _disposed ? [] : [new Measurement<long>(value)];

    private IEnumerable<Measurement<long>> Python(Func<PythonHeapReading, long?> select)
    {
        if (_disposed)
        {
            return [];
        }

        var reading = Volatile.Read(ref _python);
        if (!IsFresh(reading))
        {
            var request = RequestReading();
            request.Wait(ObservationWait);
            reading = Volatile.Read(ref _python);
        }

        return reading is not null && select(reading) is long value ? [new Measurement<long>(value)] : [];
    }

    /// <summary>Asks the tracker's thread for a reading; requests made before it starts share it.</summary>
    private Task<PythonHeapReading?> RequestReading()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.FromResult(Volatile.Read(ref _python));
            }

            if (_pending is null)
            {
                _pending = new TaskCompletionSource<PythonHeapReading?>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_reader is null)
                {
                    _reader = new Thread(ReadLoop) { IsBackground = true, Name = "PyChecks memory tracker" };
                    _reader.Start();
                }

                _wake.Release();
            }

            return _pending.Task;
        }
    }

    private void ReadLoop()
    {
        while (true)
        {
            _wake.Wait();
            if (_disposed)
            {
                return;
            }

            // Requests made from now on get a reading of their own: this one may have started before them.
            TaskCompletionSource<PythonHeapReading?>? pending;
            lock (_gate)
            {
                pending = _pending;
                _pending = null;
            }

            if (pending is null)
            {
                continue;
            }

            var (reading, running) = TryRead();
            if (reading is not null || !running)
            {
                Volatile.Write(ref _python, reading); // no Python, no figures: a reading from before shutdown is not kept
            }

            pending.TrySetResult(Volatile.Read(ref _python));
        }
    }

    /// <summary>A reading, or none; <c>Running</c> is false when Python is not started or is shut down.</summary>
    private (PythonHeapReading? Reading, bool Running) TryRead()
    {
        var runtime = _runtime ?? PythonRuntime.Current;
        if (runtime is not { IsRunning: true })
        {
            return (null, false);
        }

        try
        {
            using (runtime.AcquireGil())
            {
                return (PythonHeap.Read(DateTimeOffset.UtcNow), true);
            }
        }
        catch (PythonRuntimeException)
        {
            return (null, false); // shut down meanwhile
        }
        catch (PythonException)
        {
            return (null, true); // keep the previous reading
        }
    }
}
