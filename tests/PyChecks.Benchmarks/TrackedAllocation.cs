using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using PyChecks.Interop;

namespace PyChecks.Benchmarks;

/// <summary>
/// What tracking costs on the boundary's native allocations: a 256-byte block allocated and freed through
/// <see cref="NativeMemory"/> (baseline) and through the tracked allocator (16-byte header, four interlocked
/// counter updates); and <see cref="Utf8Z"/>, the C-string copy every name crossing the boundary takes, for a short
/// string (stack buffer, no allocation) and a long one (a tracked heap block).
/// </summary>
/// <remarks>No Python is needed: the allocator and the UTF-8 copy are pure .NET.</remarks>
[Config(typeof(BenchmarkConfig))]
public class TrackedAllocation
{
    /// <summary>Operations per benchmark invocation.</summary>
    public const int Rounds = 1_000;

    private readonly nuint _blockSize = 256;
    private readonly string _short = "aggregator";
    private readonly string _long = new('m', 200);

    /// <summary>Baseline: <c>NativeMemory.Alloc</c> + <c>NativeMemory.Free</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rounds)]
    public unsafe void NativeMemoryAllocFree()
    {
        for (int i = 0; i < Rounds; i++)
        {
            NativeMemory.Free(NativeMemory.Alloc(_blockSize));
        }
    }

    /// <summary>The tracked allocator: <c>TrackedAllocator.Alloc</c> + <c>TrackedAllocator.Free</c>.</summary>
    [Benchmark(OperationsPerInvoke = Rounds)]
    public unsafe void TrackedAllocFree()
    {
        for (int i = 0; i < Rounds; i++)
        {
            TrackedAllocator.Free(TrackedAllocator.Alloc(_blockSize));
        }
    }

    /// <summary>A 10-character name: copied into the stack buffer, no native allocation.</summary>
    [Benchmark(OperationsPerInvoke = Rounds)]
    public unsafe byte Utf8ZShort()
    {
        byte sum = 0;
        for (int i = 0; i < Rounds; i++)
        {
            using var utf8 = new Utf8Z(_short);
            sum ^= *utf8.Pointer;
        }

        return sum;
    }

    /// <summary>A 200-character name: copied into a tracked heap block.</summary>
    [Benchmark(OperationsPerInvoke = Rounds)]
    public unsafe byte Utf8ZLong()
    {
        byte sum = 0;
        for (int i = 0; i < Rounds; i++)
        {
            using var utf8 = new Utf8Z(_long);
            sum ^= *utf8.Pointer;
        }

        return sum;
    }
}
