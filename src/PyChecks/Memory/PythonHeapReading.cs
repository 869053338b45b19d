namespace PyChecks;

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
