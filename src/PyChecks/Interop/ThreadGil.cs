using System.Collections.Concurrent;
using System.Diagnostics;

namespace PyChecks.Interop;

/// <summary>
/// One OS thread's relationship with the GIL: a persistent <c>PyThreadState</c>, created on the
/// thread's first scope and attached/detached around each outermost scope (about 60 ns, against
/// microseconds for <c>PyGILState_Ensure</c>, which builds and tears down a thread state each time
/// on a thread that has none). When the thread exits, the finalizer queues its thread state for
/// deletion under the GIL.
/// </summary>
internal sealed unsafe class ThreadGil
{
    [ThreadStatic]
    private static ThreadGil? t_current;

    private static readonly ConcurrentQueue<nint> s_pendingDecRefs = new();
    private static readonly ConcurrentQueue<nint> s_pendingThreadStates = new();

    // Every thread that ever entered a scope, for CloseAndDrain; weak, so that dead threads' entries can go.
    private static readonly List<WeakReference<ThreadGil>> s_threads = [];
    private static int s_pruneAt = 64;
    private static int s_pending;
    private static int s_open;
    private static long s_liveThreadStates;

    private readonly int _managedThreadId = Environment.CurrentManagedThreadId;
    private nint _threadState;
    private int _depth;
    private int _attached;
    private bool _borrowed;

    private ThreadGil()
    {
        lock (s_threads)
        {
            if (s_threads.Count >= s_pruneAt)
            {
                s_threads.RemoveAll(static thread => !thread.TryGetTarget(out _));
                s_pruneAt = Math.Max(64, s_threads.Count * 2);
            }

            s_threads.Add(new WeakReference<ThreadGil>(this));
        }
    }

    /// <summary>Thread states created for .NET threads and not yet deleted.</summary>
    public static long LiveThreadStates => Interlocked.Read(ref s_liveThreadStates);

    /// <summary>References and thread states waiting for a thread that holds the GIL to release them.</summary>
    public static int PendingReleases => Volatile.Read(ref s_pending);

    /// <summary>Whether the current thread is inside a scope.</summary>
    public static bool IsHeld => t_current is { _depth: > 0 };

    /// <summary>The current thread's state, if it ever entered a scope.</summary>
    public static ThreadGil? Current => t_current;

    /// <summary>The thread's persistent thread state (0 until the first attach).</summary>
    public nint ThreadState => _threadState;

    /// <summary>How long the thread's last <see cref="EnterMeasured"/> waited for the GIL (zero when it did not attach).</summary>
    public TimeSpan LastAttachWait { get; private set; }

    /// <summary>
    /// The <see cref="Stopwatch"/> timestamp at which the thread's last <see cref="EnterMeasured"/> had attached, once: 0
    /// after the first call, and when that scope did not attach or a later scope attached without measuring. A check run
    /// that starts its scope's work takes it as its start instead of reading the clock again.
    /// </summary>
    public long TakeAttachedAt()
    {
        long attachedAt = _attachedAt;
        _attachedAt = 0;
        return attachedAt;
    }

    private long _attachedAt;

    /// <summary>Counts the interpreter's thread states, as CPython lists them. Call with the GIL held.</summary>
    public static int CountInterpreterThreadStates()
    {
        EnsureHeld();
        int count = 0;
        for (nint ts = CPython.PyInterpreterState_ThreadHead(CPython.PyInterpreterState_Main()); ts != 0; ts = CPython.PyThreadState_Next(ts))
        {
            count++;
        }

        return count;
    }

    /// <summary>Opens the gate: scopes may attach from now on.</summary>
    public static void Open() => Volatile.Write(ref s_open, 1);

    /// <summary>Closes the gate and waits for every attached thread to detach.</summary>
    /// <returns>The number of threads still attached when <paramref name="timeout"/> ran out (0 on success).</returns>
    /// <remarks>
    /// The gate is an asymmetric Dekker handshake: an attaching thread writes its own flag, then reads
    /// the gate, with no fence (see <see cref="Attach"/>); this side closes the gate, then forces a
    /// memory barrier on every thread of the process, then reads the flags. After that barrier, any
    /// thread either sees the gate closed or has its flag visible here, so none attaches unseen.
    /// </remarks>
    public static int CloseAndDrain(TimeSpan timeout)
    {
        Volatile.Write(ref s_open, 0);
        Interlocked.MemoryBarrierProcessWide();
        ThreadGil[] threads;
        lock (s_threads)
        {
            threads = [.. s_threads.Select(static weak => weak.TryGetTarget(out var thread) ? thread : null).OfType<ThreadGil>()];
        }

        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spinner = default(SpinWait);
        while (true)
        {
            int attached = threads.Count(static thread => Volatile.Read(ref thread._attached) != 0);
            if (attached == 0)
            {
                return 0;
            }

            if (Environment.TickCount64 > deadline)
            {
                return attached;
            }

            spinner.SpinOnce(sleep1Threshold: 20);
        }
    }

    /// <summary>Enters a scope on the current thread, attaching its thread state if it is the outermost.</summary>
    public static GilScope Enter()
    {
        var current = t_current ?? (t_current = new ThreadGil());
        if (current._depth == 0)
        {
            current.Attach();
            current._attachedAt = 0;
        }

        return new GilScope(current, ++current._depth);
    }

    /// <summary>
    /// Enters a scope like <see cref="Enter"/> and records in <see cref="LastAttachWait"/> how long attaching waited for
    /// the GIL (<c>PyEval_RestoreThread</c> blocks while other threads hold it): for check runs, whose timeout does not
    /// count that wait. Two clock reads more than <see cref="Enter"/>, which host code's short scopes keep using.
    /// </summary>
    public static GilScope EnterMeasured()
    {
        var current = t_current ?? (t_current = new ThreadGil());
        if (current._depth == 0)
        {
            long wants = Stopwatch.GetTimestamp();
            current.Attach();
            long attached = Stopwatch.GetTimestamp();
            current.LastAttachWait = Stopwatch.GetElapsedTime(wants, attached);
            current._attachedAt = attached;
        }
        else
        {
            current.LastAttachWait = TimeSpan.Zero;
            current._attachedAt = 0;
        }

        return new GilScope(current, ++current._depth);
    }

    /// <summary>Throws unless the current thread holds the GIL through a scope.</summary>
    public static void EnsureHeld()
    {
        if (t_current is not { _depth: > 0 })
        {
            throw new InvalidOperationException(
                "This operation calls into Python and needs the GIL. Hold a scope around it: 'using var gil = runtime.AcquireGil();'.");
        }
    }

    /// <summary>
    /// Runs <paramref name="wait"/> with the GIL released, as C code does around a blocking call
    /// (<c>Py_BEGIN_ALLOW_THREADS</c>), and takes it back before returning. For code called from Python (which holds
    /// the GIL, through whatever thread state) that waits for something another thread may need the GIL to provide.
    /// </summary>
    public static T WhileReleased<T>(Func<T> wait)
    {
        nint state = CPython.PyEval_SaveThread();
        try
        {
            return wait();
        }
        finally
        {
            CPython.PyEval_RestoreThread(state);
        }
    }

    /// <summary>Releases a reference now if the GIL is held, otherwise when a thread next releases it.</summary>
    public static void DecRef(nint handle)
    {
        if (IsHeld)
        {
            CPython.Py_DecRef(handle);
        }
        else
        {
            QueueDecRef(handle);
        }
    }

    /// <summary>Queues a reference to release under the GIL (from a finalizer or a thread without the GIL).</summary>
    public static void QueueDecRef(nint handle)
    {
        s_pendingDecRefs.Enqueue(handle);
        Interlocked.Increment(ref s_pending);
    }

    /// <summary>Releases queued references and dead threads' thread states. Call with the GIL held.</summary>
    public static void DrainPending()
    {
        while (s_pendingDecRefs.TryDequeue(out nint handle))
        {
            Interlocked.Decrement(ref s_pending);
            CPython.Py_DecRef(handle);
        }

        while (s_pendingThreadStates.TryDequeue(out nint threadState))
        {
            Interlocked.Decrement(ref s_pending);
            CPython.PyThreadState_Clear(threadState);
            CPython.PyThreadState_Delete(threadState);
            Interlocked.Decrement(ref s_liveThreadStates);
        }
    }

    /// <summary>Leaves the scope at <paramref name="level"/>.</summary>
    public void Exit(int level)
    {
        if (Environment.CurrentManagedThreadId != _managedThreadId)
        {
            throw new InvalidOperationException(
                $"A GIL scope acquired on thread {_managedThreadId} was disposed on thread {Environment.CurrentManagedThreadId}. " +
                "The GIL belongs to the thread that took it: dispose each scope on that thread, and never keep one across an 'await'.");
        }

        if (level != _depth)
        {
            throw new InvalidOperationException(
                _depth < level
                    ? $"A GIL scope at depth {level} was disposed twice, or after an outer scope (current depth {_depth})."
                    : $"A GIL scope at depth {level} was disposed while an inner scope at depth {_depth} is still open. Dispose nested scopes innermost first ('using' declarations do).");
        }

        if (--_depth == 0)
        {
            Detach();
        }
    }

    private void Attach()
    {
        // The light side of the gate's handshake (see CloseAndDrain): flag, then gate, no fence. The
        // JIT keeps a volatile write before a volatile read; the closing thread's process-wide barrier
        // orders them for the processor.
        Volatile.Write(ref _attached, 1);
        if (Volatile.Read(ref s_open) == 0)
        {
            Volatile.Write(ref _attached, 0);
            throw new PythonRuntimeException(
                "The Python runtime is not running: it has not been initialized yet (PythonRuntime.Initialize) or it has been shut down, and CPython cannot be started twice in one process.");
        }

        // A thread that already holds the GIL through a thread state of its own (a Python thread
        // calling into .NET, or the thread that initialized Python) must not attach another one.
        if (CPython.PyGILState_Check() != 0)
        {
            _borrowed = true;
            return;
        }

        if (_threadState == 0)
        {
            CreateThreadState();
        }

        CPython.PyEval_RestoreThread(_threadState);
    }

    private void CreateThreadState()
    {
        _threadState = CPython.PyThreadState_New(CPython.PyInterpreterState_Main());
        Interlocked.Increment(ref s_liveThreadStates);
    }

    private void Detach()
    {
        if (Volatile.Read(ref s_pending) != 0)
        {
            DrainPending();
        }

        if (_borrowed)
        {
            _borrowed = false;
        }
        else
        {
            CPython.PyEval_SaveThread();
        }

        Volatile.Write(ref _attached, 0);
    }

    ~ThreadGil()
    {
        // The thread has exited: its thread state can go, under the GIL, by whichever thread next holds it.
        if (_threadState != 0)
        {
            s_pendingThreadStates.Enqueue(_threadState);
            Interlocked.Increment(ref s_pending);
        }
    }
}
