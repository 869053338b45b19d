using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace PyChecks.Soak;

/// <summary>
/// One reading of every memory figure the soak follows: the managed heap (as the GC last saw it, and after full
/// collections), the GC's committed memory, the RSS, PyChecks's tracked native memory and Python's allocated blocks (after <c>gc.collect()</c>),
/// both read through the public <see cref="MemoryTracker"/>.
/// </summary>
internal sealed class MemoryProbe : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly PythonRuntime _runtime;

    public MemoryProbe(PythonRuntime runtime)
    {
        _runtime = runtime;
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Tracker = new MemoryTracker(_services.GetRequiredService<IMeterFactory>(), runtime);
    }

    public MemoryTracker Tracker { get; }

    public Reading Read()
    {
        long heap = ProcessProbe.ManagedHeap();
        long heapAfterGc = ProcessProbe.ManagedHeapAfterFullCollection();
        using (_runtime.AcquireGil())
        {
            using var gc = PyObject.Import("gc");
            gc.CallMethod("collect", []).Dispose();
        }

        var snapshot = Tracker.GetSnapshotAsync().GetAwaiter().GetResult();
        return new Reading(heap, heapAfterGc, GC.GetGCMemoryInfo().TotalCommittedBytes, ProcessProbe.Rss(), snapshot.Native.InUseBytes, snapshot.Native.UntrackedFrees, snapshot.Python?.AllocatedBlocks ?? -1);
    }

    public void Dispose()
    {
        Tracker.Dispose();
        _services.Dispose();
    }

    public readonly record struct Reading(long Heap, long HeapAfterGc, long GcCommitted, long Rss, long NativeInUse, long UntrackedFrees, long PythonBlocks);
}
