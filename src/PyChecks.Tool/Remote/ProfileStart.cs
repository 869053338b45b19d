namespace PyChecks.Tool.Remote;

/// <summary>What <c>profile</c> was asked: the instance, the task's duration and interval in seconds, its depth, where to write, and whether to run the check now.</summary>
internal sealed record ProfileStart(string CheckId, double Duration, double Interval, int? MaxDepth, string? Output, bool RunNow);
