using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using PyChecks.Memory;

namespace PyChecks.Benchmarks;

/// <summary>
/// How to measure Python's heap, decided by what each candidate costs:
/// <list type="bullet">
/// <item>what one reading costs: <c>sys.getallocatedblocks()</c> (<see cref="ReadAllocatedBlocks"/>), and
/// <c>tracemalloc.get_traced_memory()</c> while tracing (<see cref="ReadTracedMemory"/>);</item>
/// <item>what each costs the checks, all the time: an allocation-heavy Python loop
/// (<c>d = {'a': i, 'b': [i, str(i)]}</c>, 100,000 iterations) with nothing installed (<see cref="Workload"/>,
/// baseline), with tracemalloc tracing one frame (<see cref="WorkloadTracemalloc"/>), and with a counting hook on
/// the <c>PYMEM_DOMAIN_MEM</c> and <c>PYMEM_DOMAIN_OBJ</c> allocators that calls into .NET on every allocation and
/// free, then into the original allocator (<see cref="WorkloadAllocatorHook"/>).</item>
/// </list>
/// </summary>
/// <remarks>
/// Each case runs in its own process, so tracing or the hook are installed only for their case. The hook is the
/// cheapest form an allocator hook can take from .NET (two interlocked additions and an indirect call); a hook that
/// counted bytes in use would also need a size header or a lookup on every free.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class PythonHeapMeasurement
{
    /// <summary>Loop iterations per <see cref="Workload"/> invocation.</summary>
    public const int Iterations = 100_000;

    /// <summary>Readings per reading-case invocation.</summary>
    public const int Readings = 1_000;

    private const string Source = """
        def work(n):
            for i in range(n):
                d = {'a': i, 'b': [i, str(i)]}
        """;

    private PythonRuntime? _runtime;
    private PyObject? _work;
    private PyObject? _count;

    /// <summary>Starts Python with nothing installed.</summary>
    [GlobalSetup(Targets = [nameof(Workload), nameof(ReadAllocatedBlocks)])]
    public void Setup() => Start(install: null);

    /// <summary>Starts Python and tracemalloc.</summary>
    [GlobalSetup(Targets = [nameof(WorkloadTracemalloc), nameof(ReadTracedMemory)])]
    public void SetupTracemalloc() => Start(install: PythonHeap.StartTracing);

    /// <summary>Starts Python and installs the counting hook.</summary>
    [GlobalSetup(Target = nameof(WorkloadAllocatorHook))]
    public void SetupHook() => Start(install: CountingHook.Install);

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (CountingHook.Allocations > 0)
        {
            Console.WriteLine($"// hook counted {CountingHook.Allocations:N0} allocations, {CountingHook.Frees:N0} frees");
        }

        PythonHost.Stop(_runtime, _work, _count);
    }

    /// <summary>Baseline: the loop, nothing installed. ns per iteration.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Iterations)]
    public void Workload() => RunWork();

    /// <summary>The loop while tracemalloc traces. ns per iteration.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public void WorkloadTracemalloc() => RunWork();

    /// <summary>The loop with the counting allocator hook. ns per iteration.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public void WorkloadAllocatorHook() => RunWork();

    /// <summary>One <c>sys.getallocatedblocks()</c> reading, GIL held. ns per reading.</summary>
    [Benchmark(OperationsPerInvoke = Readings)]
    public long ReadAllocatedBlocks()
    {
        long sum = 0;
        using (_runtime!.AcquireGil())
        {
            for (int i = 0; i < Readings; i++)
            {
                sum += PythonHeap.Read(default).AllocatedBlocks;
            }
        }

        return sum;
    }

    /// <summary>One reading with tracemalloc tracing (blocks and traced bytes), GIL held. ns per reading.</summary>
    [Benchmark(OperationsPerInvoke = Readings)]
    public long ReadTracedMemory()
    {
        long sum = 0;
        using (_runtime!.AcquireGil())
        {
            for (int i = 0; i < Readings; i++)
            {
                sum += PythonHeap.Read(default).TracedBytes!.Value;
            }
        }

        return sum;
    }

    private void Start(Action? install)
    {
        _runtime = PythonHost.Start();
        (_work, _count) = PythonHost.OnSetupThread(_runtime, () =>
        {
            install?.Invoke();
            using var module = PyObject.CreateModule("heap_work", Source);
            return (module.GetAttr("work"), PyObject.From(Iterations));
        });
    }

    private void RunWork()
    {
        using (_runtime!.AcquireGil())
        {
            _work!.Call(_count!).Dispose();
        }
    }

    /// <summary>A <c>PyMem_SetAllocator</c> hook that counts calls and forwards to the allocator it wraps.</summary>
    private static unsafe class CountingHook
    {
        private const int DomainMem = 1;
        private const int DomainObj = 2;
        private static long s_allocations;
        private static long s_frees;

        public static long Allocations => Interlocked.Read(ref s_allocations);

        public static long Frees => Interlocked.Read(ref s_frees);

        /// <summary>Wraps the MEM and OBJ allocators; GIL held. Hooks that call the previous allocator may be installed after start.</summary>
        public static void Install()
        {
            var get = (delegate* unmanaged<int, Allocator*, void>)Export("PyMem_GetAllocator");
            var set = (delegate* unmanaged<int, Allocator*, void>)Export("PyMem_SetAllocator");
            foreach (int domain in new[] { DomainMem, DomainObj })
            {
                // Both live as long as the process: Python keeps calling through them.
                var original = (Allocator*)NativeMemory.AllocZeroed((nuint)sizeof(Allocator));
                get(domain, original);
                var hook = (Allocator*)NativeMemory.AllocZeroed((nuint)sizeof(Allocator));
                hook->Context = original;
                hook->Malloc = &Malloc;
                hook->Calloc = &Calloc;
                hook->Realloc = &Realloc;
                hook->Free = &Free;
                set(domain, hook);
            }
        }

        private static nint Export(string name) => NativeLibrary.GetExport(NativeLibrary.GetMainProgramHandle(), name);

        [UnmanagedCallersOnly]
        private static void* Malloc(Allocator* original, nuint size)
        {
            Interlocked.Increment(ref s_allocations);
            return original->Malloc(original->Context, size);
        }

        [UnmanagedCallersOnly]
        private static void* Calloc(Allocator* original, nuint count, nuint size)
        {
            Interlocked.Increment(ref s_allocations);
            return original->Calloc(original->Context, count, size);
        }

        [UnmanagedCallersOnly]
        private static void* Realloc(Allocator* original, void* pointer, nuint size)
        {
            Interlocked.Increment(ref s_allocations);
            return original->Realloc(original->Context, pointer, size);
        }

        [UnmanagedCallersOnly]
        private static void Free(Allocator* original, void* pointer)
        {
            Interlocked.Increment(ref s_frees);
            original->Free(original->Context, pointer);
        }

        /// <summary><c>PyMemAllocatorEx</c>: a context pointer and four functions taking it first.</summary>
        [StructLayout(LayoutKind.Sequential)]
        private struct Allocator
        {
            public Allocator* Context;
            public delegate* unmanaged<Allocator*, nuint, void*> Malloc;
            public delegate* unmanaged<Allocator*, nuint, nuint, void*> Calloc;
            public delegate* unmanaged<Allocator*, void*, nuint, void*> Realloc;
            public delegate* unmanaged<Allocator*, void*, void> Free;
        }
    }
}
