namespace PyChecks;

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
