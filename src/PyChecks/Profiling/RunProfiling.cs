using PyChecks.Interop;

namespace PyChecks.Profiling;

/// <summary>
/// The hooks a check run calls on its worker, with the GIL held: <see cref="Enter"/> when the run starts and
/// <see cref="Exit"/> when it returns. While a profile task of the check is running, they attach the run (its
/// thread state, thread id and a run id) to the task and detach it; otherwise they cost one volatile read.
/// </summary>
/// <remarks>
/// Both sides run under the GIL, and the sampler walks a run's thread state only while holding the GIL and only while
/// the run is attached: a walked thread state therefore always belongs to a run in progress, which cannot end (nor
/// its thread exit and its thread state be deleted) during the walk.
/// </remarks>
internal static class RunProfiling
{
    private static readonly Lock s_lock = new();
    private static ProfileSession[]? s_armed;
    private static long s_runIds;

    /// <summary>Attaches the calling run to the running task of <paramref name="checkId"/>, if any. GIL held; never throws.</summary>
    /// <returns>The attachment to pass to <see cref="Exit"/>, or <see langword="null"/>.</returns>
    public static RunAttachment? Enter(string checkId)
    {
        var armed = Volatile.Read(ref s_armed);
        return armed is null ? null : EnterArmed(armed, checkId);
    }

    /// <summary>Detaches a run attached by <see cref="Enter"/>. GIL held; never throws.</summary>
    public static void Exit(RunAttachment? attachment) => attachment?.Session.Detach(attachment);

    /// <summary>From now on, runs of the session's check attach to it.</summary>
    public static void Arm(ProfileSession session)
    {
        lock (s_lock)
        {
            Volatile.Write(ref s_armed, [.. s_armed ?? [], session]);
        }
    }

    /// <summary>No new run attaches to the session (runs attached already detach as they return).</summary>
    public static void Disarm(ProfileSession session)
    {
        lock (s_lock)
        {
            if (s_armed is null)
            {
                return;
            }

            ProfileSession[] rest = [.. s_armed.Where(s => s != session)];
            Volatile.Write(ref s_armed, rest.Length == 0 ? null : rest);
        }
    }

    private static RunAttachment? EnterArmed(ProfileSession[] armed, string checkId)
    {
        try
        {
            foreach (var session in armed)
            {
                if (string.Equals(session.CheckId, checkId, StringComparison.Ordinal))
                {
                    return session.TryAttach(FrameWalker.CurrentThreadState(), AsyncExceptions.CurrentThreadId(), Interlocked.Increment(ref s_runIds));
                }
            }
        }
        catch (Exception)
        {
            // Profiling must never fail a run: the run goes unprofiled.
        }

        return null;
    }
}
