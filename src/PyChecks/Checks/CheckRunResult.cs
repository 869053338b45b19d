namespace PyChecks;

/// <summary>The outcome of one run of a check.</summary>
public sealed class CheckRunResult
{
    /// <summary>The check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>Whether <c>check()</c> returned without raising.</summary>
    public bool Succeeded => Error is null;

    /// <summary>
    /// The error, or <see langword="null"/> on success: <c>str()</c> of the exception <c>check()</c> raised (as
    /// Datadog reports it; the exception's type when that is empty), or <c>Type: message</c> for an exception that
    /// escaped <c>run()</c> itself, such as <c>SystemExit: 3</c>.
    /// </summary>
    public string? Error { get; init; }

    /// <summary>
    /// Whether the run was interrupted through its cancellation token (a timeout or a cancel): PyChecks raised
    /// <c>pychecks.CheckInterrupt</c> in the check's code and it ended the run. <see cref="Error"/> is then set too.
    /// </summary>
    public bool Interrupted { get; init; }

    /// <summary>The Python traceback of the error, or <see langword="null"/>.</summary>
    public string? Traceback { get; init; }

    /// <summary>Warnings the check raised during the run (<c>self.warning(...)</c>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long <c>run()</c> took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>
    /// How long the run waited for the GIL before its Python code could start, while other threads (of other checks,
    /// or a check's own) held it. Not part of <see cref="Duration"/>, nor of the run's timeout, which starts once the
    /// run has the GIL.
    /// </summary>
    public TimeSpan GilWait { get; init; }

    /// <summary>When the run was interrupted: how long the interrupt waited for the GIL before it could be raised.</summary>
    internal TimeSpan? InterruptGilWait { get; init; }

    /// <summary>Metrics submitted during the run.</summary>
    public int Metrics { get; init; }

    /// <summary>Service checks submitted during the run.</summary>
    public int ServiceChecks { get; init; }

    /// <summary>Events submitted during the run.</summary>
    public int Events { get; init; }

    /// <summary>Histogram buckets submitted during the run.</summary>
    public int HistogramBuckets { get; init; }

    /// <summary>
    /// How much Python memory traced by <c>tracemalloc</c> grew during the run, in bytes (negative when it shrank), or
    /// <see langword="null"/> unless <see cref="PyChecksOptions.TracemallocEnabled"/> is on. The figure is process-wide:
    /// allocations made by other Python threads during the run count too.
    /// </summary>
    public long? PythonMemoryDelta { get; init; }
}
