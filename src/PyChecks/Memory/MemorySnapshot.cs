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
/// <param name="Allocations">Blocks allocated.</param>
/// <param name="Frees">Tracked blocks freed.</param>
/// <param name="AllocatedBytes">Bytes allocated.</param>
/// <param name="FreedBytes">Bytes of tracked blocks freed.</param>
/// <param name="InUseBytes">Bytes allocated and not yet freed (<paramref name="AllocatedBytes"/> − <paramref name="FreedBytes"/>).</param>
/// <param name="UntrackedFrees">Frees of pointers the allocator never returned (a bug in the caller; the memory is still released with <c>free</c>).</param>
public sealed record NativeMemoryCounters(long Allocations, long Frees, long AllocatedBytes, long FreedBytes, long InUseBytes, long UntrackedFrees);

/// <summary>A reading of Python's heap, taken with the GIL held.</summary>
/// <param name="MeasuredAt">When it was taken (UTC).</param>
/// <param name="AllocatedBlocks">
/// <c>sys.getallocatedblocks()</c>: memory blocks Python's object allocator has handed out and not freed (objects
/// and small buffers; large buffers served by <c>malloc</c> directly are not blocks of this allocator).
/// </param>
/// <param name="TracedBytes">
/// Bytes of Python allocations tracemalloc traces now (<c>tracemalloc.get_traced_memory()[0]</c>), or
/// <see langword="null"/> when tracemalloc is not tracing (see <see cref="PyChecksOptions.TracemallocEnabled"/>).
/// </param>
/// <param name="TracedPeakBytes">tracemalloc's peak of <paramref name="TracedBytes"/>, or <see langword="null"/> when it is not tracing.</param>
public sealed record PythonHeapReading(DateTimeOffset MeasuredAt, long AllocatedBlocks, long? TracedBytes, long? TracedPeakBytes);
