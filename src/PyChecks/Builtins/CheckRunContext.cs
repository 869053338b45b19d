using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PyChecks.Runtime;

namespace PyChecks.Builtins;

/// <summary>
/// What the built-in modules need to know about a loaded check instance: its id, name, configured tags,
/// and the counts of what it submitted in the current run. The thread running the check sets
/// <see cref="Current"/>, so submissions from <c>check()</c> find their context without a lookup;
/// submissions from threads the check started are found by id.
/// </summary>
internal sealed class CheckRunContext
{
    [ThreadStatic]
    private static CheckRunContext? t_current;

    [ThreadStatic]
    private static ThreadSlot? t_slot;

    // The slot of the thread that last set Current (see Current's getter). Written with the GIL held, like Current.
    private static ThreadSlot s_lastSetter = new(0, 0);

    public CheckRunContext(string checkId, string checkName, IReadOnlyList<string> configuredTags)
    {
        CheckId = checkId;
        CheckName = checkName;
        ConfiguredTags = [.. configuredTags];
    }

    /// <summary>
    /// The context of the check the current thread is running, if any. Set only with the GIL held (a run's start and end).
    /// </summary>
    /// <remarks>
    /// Read at every submission, so it avoids the thread-static when it can: that costs a call to the C library's
    /// <c>__tls_get_addr</c> and four dependent loads, since the runtime is a dynamically loaded library. The thread that
    /// set it last is found instead by its stack: an address of the reader's own frame inside that thread's stack range
    /// means the reader is that thread (live threads' stacks do not overlap), and its slot holds what it set, written by
    /// itself only. Any other thread reads its thread-static. A thread's stack range can pass to a new thread once it
    /// ends; its slot then says what it held last, which is null (every run restores the context it found, and only runs
    /// set it), as the new thread's own would.
    /// </remarks>
    public static CheckRunContext? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var slot = s_lastSetter;
            return slot.Holds(FrameAddress()) ? slot.Context : t_current;
        }

        set
        {
            t_current = value;
            var slot = t_slot ??= ThreadSlot.OfCallingThread();
            slot.Context = value;
            s_lastSetter = slot;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe nuint FrameAddress()
    {
        nuint local = 0;
        return (nuint)(&local);
    }

    public string CheckId { get; }

    /// <summary>
    /// The check instance's Python object (0 for none): AgentCheck's submission methods called on it from its own run
    /// reach this context without reading <c>check_id</c> and looking it up.
    /// </summary>
    public nint Instance { get; set; }

    public string CheckName { get; }

    private nint[]? _boundSubmitMethods;

    /// <summary>
    /// The slot of submission method <paramref name="index"/> bound to <see cref="Instance"/> (0 until made): kept for the
    /// check's runs, strong references released by <see cref="ReleaseBoundSubmitMethods"/>. Used with the GIL held.
    /// </summary>
    public ref nint BoundSubmitMethod(int index) => ref (_boundSubmitMethods ??= new nint[AggregatorModule.SubmitMethodCount])[index];

    /// <summary>Releases the bound methods <see cref="BoundSubmitMethod"/> kept (under the GIL, or queued for it).</summary>
    public void ReleaseBoundSubmitMethods()
    {
        nint[]? bound = Interlocked.Exchange(ref _boundSubmitMethods, null);
        foreach (nint method in bound ?? [])
        {
            if (method != 0)
            {
                Interop.ThreadGil.DecRef(method);
            }
        }
    }

    /// <summary>
    /// The string the built-in modules' string cache last gave for this check's id when it resolved to this context: the
    /// same string again is this check, with no comparison. Used with the GIL held.
    /// </summary>
    public string? CheckIdFromPython { get; set; }

    /// <summary>Tags appended to every sample: the instance's <c>tags</c> and <c>service:…</c>.</summary>
    public string[] ConfiguredTags { get; }

    /// <summary>When set, what the check submits from its run goes to these senders only, not to the host's (a run-once).</summary>
    public ISender[]? Capture { get; set; }

    private CancellationTokenSource? _children;

    /// <summary>
    /// Cancelled when the run is interrupted (after the interrupt is pending, so the check sees it as soon as it is back
    /// in Python): kills what <c>_util.subprocess_output</c> started for the run. Used with the GIL held.
    /// </summary>
    public CancellationToken ChildrenToken => (_children ??= new CancellationTokenSource()).Token;

    /// <summary>Kills the run's children; call with the GIL held, after raising the interrupt.</summary>
    public void KillChildren() => _children?.Cancel();

    /// <summary>Values set through <c>datadog_agent.set_check_metadata</c>.</summary>
    public ConcurrentDictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public int Metrics;
    public int ServiceChecks;
    public int Events;
    public int HistogramBuckets;

    /// <summary>A thread's stack range and the context it set last (see <see cref="Current"/>).</summary>
    private sealed class ThreadSlot(nuint low, nuint size)
    {
        private readonly nuint _low = low;
        private readonly nuint _size = size;

        /// <summary>What the thread set last; written by that thread only.</summary>
        public CheckRunContext? Context;

        /// <summary>The calling thread's slot: an empty range (found by no one) when its stack is unknown.</summary>
        public static ThreadSlot OfCallingThread() => OsThread.TryGetStack(out nuint low, out nuint size) ? new(low, size) : new(0, 0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Holds(nuint address) => address - _low < _size;
    }

    /// <summary>Zeroes the counters at the start of a run.</summary>
    public void ResetCounts()
    {
        if (_children is { } children)
        {
            _children = null;
            children.Dispose();
        }

        Metrics = 0;
        ServiceChecks = 0;
        Events = 0;
        HistogramBuckets = 0;
    }
}
