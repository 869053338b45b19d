namespace PyChecks.Interop;

/// <summary>One frame seen by <see cref="FrameWalker"/>: its code object (as an id of a <see cref="CodeTable"/>) and its current line.</summary>
internal readonly record struct FrameSample(int CodeId, int Line);
