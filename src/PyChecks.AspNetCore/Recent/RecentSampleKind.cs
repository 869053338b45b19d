namespace PyChecks.AspNetCore.Recent;

/// <summary>What a <see cref="RecentSample"/> is.</summary>
internal enum RecentSampleKind
{
    Metric,
    ServiceCheck,
}
