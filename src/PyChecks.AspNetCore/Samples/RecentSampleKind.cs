namespace PyChecks.AspNetCore.Samples;

/// <summary>What a <see cref="RecentSample"/> is.</summary>
internal enum RecentSampleKind
{
    Metric,
    ServiceCheck,
}
