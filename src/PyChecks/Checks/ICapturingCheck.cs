namespace PyChecks.Checks;

/// <summary>A check whose submissions can be sent to one sender of its own instead of the host's (a run-once).</summary>
internal interface ICapturingCheck : ICheck
{
    /// <summary>From now on, sends what the check submits to <paramref name="sender"/> only.</summary>
    void CaptureTo(ISender sender);
}
