namespace PyChecks.Tool.Json;

/// <summary>The counts of a <c>check</c> command, in <see cref="CheckCommandReport"/>; the text report's last line.</summary>
internal sealed record CheckCommandSummary(int Instances, int NotLoaded, int Runs, int Succeeded, int Failed, int TimedOut, bool Stuck, bool Stopped);
