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
