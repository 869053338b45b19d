namespace PyChecks;

/// <summary>What <see cref="ISender.Commit"/> receives at the end of a check run.</summary>
public readonly record struct CheckRunSummary
{
    /// <summary>The check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The check's name.</summary>
    public required string CheckName { get; init; }

    /// <summary>Whether <c>check()</c> returned without raising.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Metrics submitted during the run.</summary>
    public required int Metrics { get; init; }

    /// <summary>Service checks submitted during the run.</summary>
    public required int ServiceChecks { get; init; }

    /// <summary>Events submitted during the run.</summary>
    public required int Events { get; init; }

    /// <summary>Histogram buckets submitted during the run.</summary>
    public required int HistogramBuckets { get; init; }
}
