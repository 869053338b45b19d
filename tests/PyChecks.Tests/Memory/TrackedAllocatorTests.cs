using System.Runtime.InteropServices;
using NUnit.Framework;
using PyChecks.Interop;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Memory;

/// <summary>Every native allocation at the boundary goes through one allocator whose counters follow Datadog's.</summary>
/// <remarks>The counters are process-wide, so each scenario runs in a child process of its own.</remarks>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TrackedAllocatorTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public unsafe void AllocAndFree_MoveEachCounterByTheRequestedSize(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        var before = MemoryTracker.ReadNative();
        Assert.That(before.Allocations, Is.GreaterThan(0), "the built-in module definitions are tracked blocks");
        Assert.That(before.InUseBytes, Is.GreaterThan(0));

        void* small = TrackedAllocator.Alloc(100);
        void* zeroed = TrackedAllocator.AllocZeroed(1000);
        Assert.That(new ReadOnlySpan<byte>(zeroed, 1000).IndexOfAnyExcept((byte)0), Is.EqualTo(-1));
        var allocated = MemoryTracker.ReadNative();
        Assert.That(allocated, Is.EqualTo(before with
        {
            Allocations = before.Allocations + 2,
            AllocatedBytes = before.AllocatedBytes + 1100,
            InUseBytes = before.InUseBytes + 1100,
        }));

        TrackedAllocator.Free(small);
        TrackedAllocator.Free(zeroed);
        TrackedAllocator.Free(null);
        var freed = MemoryTracker.ReadNative();
        Assert.That(freed, Is.EqualTo(allocated with
        {
            Frees = before.Frees + 2,
            FreedBytes = before.FreedBytes + 1100,
            InUseBytes = before.InUseBytes,
        }));
        Assert.That(freed.UntrackedFrees, Is.Zero);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public unsafe void FreeOfAPointerTheTrackerNeverSaw_IsCountedAsUntracked_AndReleased(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = ChildPython.Library });
        var before = MemoryTracker.ReadNative();

        TrackedAllocator.Free(NativeMemory.Alloc(64));
        TrackedAllocator.Free(NativeMemory.Alloc(200_000)); // large enough for malloc to serve it from its own mapping
        TrackedAllocator.Free((void*)Marshal.AllocHGlobal(24));
        TrackedAllocator.Free((void*)Marshal.StringToCoTaskMemUTF8("from the C heap"));

        var after = MemoryTracker.ReadNative();
        Assert.That(after, Is.EqualTo(before with { UntrackedFrees = before.UntrackedFrees + 4 }), "only the untracked counter moves");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void LongStringsAndChecks_ReleaseTheirNativeMemory_InUseReturnsToBaseline(PythonInstall install) => Isolated.Run(install, static () =>
    {
        string longName = "check_" + new string('x', 200);
        var folder = new CheckFolder()
            .Check(longName, "from datadog_checks.base import AgentCheck\nclass C(AgentCheck):\n    def check(self, i):\n        self.gauge('m', 1)\n")
            .Config(longName, "instances: [{}]\n");
        using var host = folder.Start([]);
        var baseline = MemoryTracker.ReadNative();

        string source = "x = '" + new string('y', 1000) + "'\n"; // longer than Utf8Z's stack buffer: a tracked heap copy
        using (host.Runtime.AcquireGil())
        {
            PyObject.CreateModule("long_source", source).Dispose();
        }

        var afterModule = MemoryTracker.ReadNative();
        Assert.That(afterModule.Allocations, Is.GreaterThan(baseline.Allocations));
        Assert.That(afterModule.InUseBytes, Is.EqualTo(baseline.InUseBytes));

        for (int i = 0; i < 20; i++)
        {
            var check = CheckFolder.LoadAll(host).Single();
            Assert.That(check.RunAsync().GetAwaiter().GetResult().Succeeded, Is.True);
            check.Dispose();
            using (host.Runtime.AcquireGil())
            {
                PyObject.Import(longName).Dispose(); // a module name longer than the stack buffer
            }
        }

        var afterChecks = MemoryTracker.ReadNative();
        Assert.That(afterChecks.Allocations, Is.GreaterThan(afterModule.Allocations), "importing a long module name copies it to native memory");
        Assert.That(afterChecks.InUseBytes, Is.EqualTo(baseline.InUseBytes));
        Assert.That(afterChecks.Frees - baseline.Frees, Is.EqualTo(afterChecks.Allocations - baseline.Allocations));
        Assert.That(afterChecks.UntrackedFrees, Is.Zero);
    });
}
