using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PyChecks;

/// <summary>What to profile, for how long and how finely: the argument of <see cref="IProfiler.StartAsync"/>.</summary>
[Experimental("PYCHECKS001")]
public sealed record ProfileRequest
{
    /// <summary>The default <see cref="Duration"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="Interval"/>: 10 milliseconds (100 Hz).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The default <see cref="MaxDepth"/>: 128 frames.</summary>
    public const int DefaultMaxDepth = 128;

    /// <summary>The largest <see cref="MaxDepth"/>: 512 frames.</summary>
    public const int MaxDepthLimit = 512;

    internal static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(600);
    internal static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);
    internal static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(1000);
    internal static readonly TimeSpan MaxMinRunDuration = TimeSpan.FromSeconds(600);
    internal const int MaxRunsLimit = 100_000;

    /// <summary>The id of the check instance to profile (as in <see cref="ICheck.Id"/>). Required.</summary>
    public required string CheckId { get; init; }

    /// <summary>How long the task runs at most: 1–600 s. Default: <see cref="DefaultDuration"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>The time between samples: 10–1000 ms, jittered by ±10 %. Default: <see cref="DefaultInterval"/>.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>The most frames kept per sample, innermost first: 1–512. Default: <see cref="DefaultMaxDepth"/>.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>Sample a run only once it has lasted this long (0–600 s), to skip the short ones. Default: 0.</summary>
    public TimeSpan? MinRunDuration { get; init; }

    /// <summary>End the task once this many runs have been profiled (1–100,000). Default: no limit.</summary>
    public int? MaxRuns { get; init; }

    /// <summary>The request with its defaults applied, or the first invalid field.</summary>
    /// <exception cref="ProfileRequestException">A field is out of range (<see cref="ProfileRequestError.Invalid"/>; the message names the field and the allowed range).</exception>
    internal ValidRequest Validate()
    {
        if (string.IsNullOrWhiteSpace(CheckId))
        {
            throw ProfileRequestException.Invalid(nameof(CheckId), "CheckId is required: the id of a check instance (as listed by the scheduler).");
        }

        var duration = Duration ?? DefaultDuration;
        if (duration < MinDuration || duration > MaxDuration)
        {
            throw ProfileRequestException.Invalid(nameof(Duration), $"Duration must be between 1 s and 600 s (was {Seconds(duration)}).");
        }

        var interval = Interval ?? DefaultInterval;
        if (interval < MinInterval || interval > MaxInterval)
        {
            throw ProfileRequestException.Invalid(nameof(Interval), $"Interval must be between 10 ms and 1000 ms (was {Milliseconds(interval)}).");
        }

        int maxDepth = MaxDepth ?? DefaultMaxDepth;
        if (maxDepth is < 1 or > MaxDepthLimit)
        {
            throw ProfileRequestException.Invalid(nameof(MaxDepth), $"MaxDepth must be between 1 and {MaxDepthLimit} (was {maxDepth}).");
        }

        var minRun = MinRunDuration ?? TimeSpan.Zero;
        if (minRun < TimeSpan.Zero || minRun > MaxMinRunDuration)
        {
            throw ProfileRequestException.Invalid(nameof(MinRunDuration), $"MinRunDuration must be between 0 s and 600 s (was {Seconds(minRun)}).");
        }

        if (MaxRuns is < 1 or > MaxRunsLimit)
        {
            throw ProfileRequestException.Invalid(nameof(MaxRuns), $"MaxRuns must be between 1 and {MaxRunsLimit:N0}, or unset for no limit (was {MaxRuns}).");
        }

        return new ValidRequest(CheckId, duration, interval, maxDepth, minRun, MaxRuns);
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Milliseconds(TimeSpan value) => value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}
