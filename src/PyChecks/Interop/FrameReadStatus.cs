namespace PyChecks.Interop;

/// <summary>What <see cref="FrameReader.Read"/> made of a thread state's frames.</summary>
internal enum FrameReadStatus
{
    /// <summary>The frames were read and checked.</summary>
    Read,

    /// <summary>A frame runs a code object the code table does not hold yet: only a walk under the GIL can add it.</summary>
    UnknownCode,

    /// <summary>The chain changed during the read (a call or a return), or a value read is out of place: nothing kept.</summary>
    Inconsistent,
}
