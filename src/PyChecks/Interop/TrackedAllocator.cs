using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PyChecks.Interop;

/// <summary>
/// The one allocator for native memory PyChecks hands across the boundary to CPython. Each block carries a
/// 16-byte header (its size and a cookie derived from its address) so that frees are counted in bytes and a
/// free of a pointer this allocator never returned is recognised and counted as untracked, as Datadog's
/// rtloader counts them. Counters are process-wide and lock-free.
/// </summary>
/// <remarks>
/// <see cref="Free"/> accepts a pointer from <see cref="Alloc"/>/<see cref="AllocZeroed"/> or one from the C heap
/// (<c>malloc</c>, <see cref="NativeMemory.Alloc(nuint)"/>, <see cref="Marshal.AllocHGlobal(nint)"/>): for the latter
/// the header word it reads is the C heap's own chunk header, which never equals a cookie; the block is released
/// with <c>free</c> and counted in <see cref="UntrackedFrees"/>. A double free is undefined, as with <c>free</c>.
/// </remarks>
internal static unsafe class TrackedAllocator
{
    /// <summary>Bytes in front of each block: the requested size, then the cookie. Keeps 16-byte alignment.</summary>
    public const int HeaderSize = 16;

    // High bits set: never a plausible size, which is what a C heap chunk header holds at the same offset.
    private const ulong CookieSalt = 0xA5C3_5EED_0000_0000UL;

    private static Counters s_counters;

    /// <summary>Blocks allocated since the process started.</summary>
    public static long Allocations => Volatile.Read(ref s_counters.Allocations);

    /// <summary>Tracked blocks freed.</summary>
    public static long Frees => Volatile.Read(ref s_counters.Frees);

    /// <summary>Bytes requested by every allocation (headers excluded).</summary>
    public static long AllocatedBytes => Volatile.Read(ref s_counters.AllocatedBytes);

    /// <summary>Bytes of tracked blocks freed.</summary>
    public static long FreedBytes => Volatile.Read(ref s_counters.FreedBytes);

    /// <summary>Frees of pointers this allocator did not return.</summary>
    public static long UntrackedFrees => Volatile.Read(ref s_counters.UntrackedFrees);

    /// <summary>Bytes allocated and not yet freed.</summary>
    public static long InUseBytes
    {
        get
        {
            // Freed first: a block freed between the two reads was allocated before both, so this never under-reports.
            long freed = FreedBytes;
            return AllocatedBytes - freed;
        }
    }

    /// <summary>Allocates <paramref name="size"/> uninitialised bytes; throws <see cref="OutOfMemoryException"/> on failure.</summary>
    public static void* Alloc(nuint size) => Track((byte*)NativeMemory.Alloc(size + HeaderSize), size);

    /// <summary>Allocates <paramref name="size"/> zeroed bytes; throws <see cref="OutOfMemoryException"/> on failure.</summary>
    public static void* AllocZeroed(nuint size) => Track((byte*)NativeMemory.AllocZeroed(size + HeaderSize), size);

    /// <summary>Frees a block (see the remarks on which pointers are accepted); <see langword="null"/> is ignored.</summary>
    public static void Free(void* pointer)
    {
        if (pointer == null)
        {
            return;
        }

        byte* header = (byte*)pointer - HeaderSize;
        ulong* cookie = (ulong*)(header + 8);
        if (*cookie != Cookie(pointer))
        {
            Interlocked.Increment(ref s_counters.UntrackedFrees);
            NativeMemory.Free(pointer);
            return;
        }

        long size = *(long*)header;
        *cookie = 0; // a stale copy of this pointer no longer looks tracked
        NativeMemory.Free(header);
        Interlocked.Increment(ref s_counters.Frees);
        Interlocked.Add(ref s_counters.FreedBytes, size);
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/> in tracked memory.</summary>
    public static byte* Utf8(ReadOnlySpan<char> text)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        byte* copy = (byte*)Alloc((nuint)max);
        int written = System.Text.Encoding.UTF8.GetBytes(text, new Span<byte>(copy, max));
        copy[written] = 0;
        return copy;
    }

    /// <summary>A NUL-terminated copy of UTF-8 <paramref name="bytes"/> in tracked memory.</summary>
    public static byte* Utf8(ReadOnlySpan<byte> bytes)
    {
        byte* copy = (byte*)Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(copy, bytes.Length));
        copy[bytes.Length] = 0;
        return copy;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Cookie(void* block) => CookieSalt ^ ((ulong)block >> 4);

    private static void* Track(byte* header, nuint size)
    {
        byte* block = header + HeaderSize;
        *(long*)header = (long)size;
        *(ulong*)(header + 8) = Cookie(block);
        Interlocked.Increment(ref s_counters.Allocations);
        Interlocked.Add(ref s_counters.AllocatedBytes, (long)size);
        return block;
    }

    /// <summary>The counters, on one cache line of their own (fields are padded away from neighbours).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Counters
    {
        [FieldOffset(64)] public long Allocations;
        [FieldOffset(72)] public long Frees;
        [FieldOffset(80)] public long AllocatedBytes;
        [FieldOffset(88)] public long FreedBytes;
        [FieldOffset(96)] public long UntrackedFrees;
    }
}
