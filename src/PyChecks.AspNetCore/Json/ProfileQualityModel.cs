namespace PyChecks.AspNetCore.Json;

/// <summary>How well a profile task sampled, in <see cref="ProfileTaskModel"/>.</summary>
internal sealed record ProfileQualityModel(
    long Samples,
    long TruncatedSamples,
    double SampledSeconds,
    double RequestedHz,
    double AchievedHz,
    double GilWaitP50Seconds,
    double GilWaitP99Seconds,
    double HoldP50Seconds,
    double HoldP99Seconds);
