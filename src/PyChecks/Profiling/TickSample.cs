namespace PyChecks.Profiling;

/// <summary>One run's stack seen in a tick: its frames are <c>frames[Offset..Offset+Count]</c> of the tick's buffer, innermost first.</summary>
internal readonly record struct TickSample(RunAttachment Attachment, int Offset, int Count, bool Truncated, long ObservedAt);
