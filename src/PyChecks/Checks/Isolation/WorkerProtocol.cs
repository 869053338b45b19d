namespace PyChecks.Checks.Isolation;

/// <summary>The constants both sides of the worker protocol agree on.</summary>
internal static class WorkerProtocol
{
    /// <summary>The version a host and its worker must share (they always come from the same assembly; a mismatch means a stale file).</summary>
    public const int Version = 3;

    /// <summary>The largest frame either side accepts: a larger one is a broken peer.</summary>
    public const int MaxFrameBytes = 64 << 20;

    /// <summary>A run's submissions are sent when its buffer reaches this many bytes, and at its commit.</summary>
    public const int FlushBytes = 32 << 10;
}
