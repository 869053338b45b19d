namespace PyChecks;

/// <summary>A request that passed validation, defaults applied.</summary>
internal sealed record ValidRequest(string CheckId, TimeSpan Duration, TimeSpan Interval, int MaxDepth, TimeSpan MinRunDuration, int? MaxRuns);
