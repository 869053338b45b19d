namespace PyChecks;

/// <summary>
/// The memory PyChecks accounts for at one moment, as <see cref="MemoryTracker.GetSnapshot"/> returns it and the
/// control API serves it. Immutable; serialises with <c>System.Text.Json</c> as it is.
/// </summary>
/// <param name="Timestamp">When the snapshot was taken (UTC).</param>
/// <param name="Native">The native memory the library allocated at the boundary with CPython.</param>
/// <param name="Python">
/// The latest reading of Python's heap, or <see langword="null"/> when none could be taken yet (Python not started,
/// or already shut down). Taking it needs the GIL, so it may be older than <paramref name="Timestamp"/>: see
/// <see cref="PythonHeapReading.MeasuredAt"/>.
/// </param>
public sealed record MemorySnapshot(DateTimeOffset Timestamp, NativeMemoryCounters Native, PythonHeapReading? Python);

/// <summary>
/// The counters of the library's tracked native allocator, process-wide since start (Datadog rtloader's counters).
/// Sizes are what callers asked for; the allocator's own 16-byte header per block is not counted.
/// </summary>
public sealed record NativeMemoryCounters
{
    /// <summary>Blocks allocated.</summary>
    public required long Allocations { get; init; }

    /// <summary>Tracked blocks freed.</summary>
    public required long Frees { get; init; }

    /// <summary>Bytes allocated.</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>Bytes of tracked blocks freed.</summary>
    public required long FreedBytes { get; init; }

    /// <summary>Bytes allocated and not yet freed (<see cref="AllocatedBytes"/> − <see cref="FreedBytes"/>).</summary>
    public required long InUseBytes { get; init; }

    /// <summary>Frees of pointers the allocator never returned (a bug in the caller; the memory is still released with <c>free</c>).</summary>
    public required long UntrackedFrees { get; init; }
}

/// <summary>A reading of Python's heap, taken with the GIL held.</summary>
public sealed record PythonHeapReading
{
    /// <summary>When it was taken (UTC).</summary>
    public required DateTimeOffset MeasuredAt { get; init; }

    /// <summary>
    /// <c>sys.getallocatedblocks()</c>: memory blocks Python's object allocator has handed out and not freed (objects
    /// and small buffers; large buffers served by <c>malloc</c> directly are not blocks of this allocator).
    /// </summary>
    public required long AllocatedBlocks { get; init; }

    /// <summary>
    /// Bytes of Python allocations tracemalloc traces now (<c>tracemalloc.get_traced_memory()[0]</c>), or
    /// <see langword="null"/> when tracemalloc is not tracing (see <see cref="PyChecksOptions.TracemallocEnabled"/>).
    /// </summary>
    public required long? TracedBytes { get; init; }

    /// <summary>tracemalloc's peak of <see cref="TracedBytes"/>, or <see langword="null"/> when it is not tracing.</summary>
    public required long? TracedPeakBytes { get; init; }
}
