using System.Diagnostics;
using PyChecks.Interop;
using PyChecks.Runtime;
using PyChecks.Workers;

namespace PyChecks;

/// <summary>
/// The embedded CPython interpreter: one per process, started by <see cref="Initialize(PythonRuntimeOptions?)"/> and
/// stopped by <see cref="Shutdown"/> (or <see cref="Dispose"/>). CPython cannot be initialized
/// again in the same process once it has been finalized.
/// </summary>
/// <remarks>
/// The interpreter is initialized on a dedicated thread as the discovered python executable starts
/// (a virtual environment's <c>pyvenv.cfg</c> included, see <see cref="PythonLocation.Executable"/>),
/// without signal handlers (the host keeps SIGINT), and the GIL is released at once; every later call into Python goes through a GIL scope
/// (<see cref="AcquireGil"/>) on whatever thread makes it. Finalization happens on the same
/// dedicated thread.
/// </remarks>
public sealed class PythonRuntime : IDisposable
{
    private static readonly Lock s_lock = new();
    private static PythonRuntime? s_current;
    private static string? s_initializedBy;

    // What a runtime started through the public Initialize registers: set once, at load, by the composition root
    // (DependencyInjection/DefaultPythonModules.cs); the runtime itself knows no module.
    private static Action s_defaultModules = static () => { };

    private readonly InterpreterThread _interpreter;
    private readonly PythonWorkerPool _workers;
    private readonly TimeSpan _shutdownTimeout;
    private int _shutdownStarted;
    private long _shutdownDeadline = long.MaxValue;
    private long _shutdownLimit = long.MaxValue;
    private string? _shutdownProblem;

    private PythonRuntime(PythonLocation location, PythonVersionInfo version, InterpreterThread interpreter, PythonWorkerPool workers, TimeSpan shutdownTimeout, TimeSpan callingThreadRunLimit)
    {
        CallingThreadRunLimit = (long)(callingThreadRunLimit.TotalSeconds * Stopwatch.Frequency);
        Location = location;
        Version = version;
        _interpreter = interpreter;
        _workers = workers;
        _shutdownTimeout = shutdownTimeout;
    }

    /// <summary>The running runtime, or <see langword="null"/> before <see cref="Initialize(PythonRuntimeOptions?)"/> and after shutdown.</summary>
    public static PythonRuntime? Current => Volatile.Read(ref s_current);

    /// <summary>The interpreter's version and the library it was loaded from.</summary>
    public PythonVersionInfo Version { get; }

    /// <summary>Where the library was found, and every place discovery looked.</summary>
    public PythonLocation Location { get; }

    /// <summary>Whether the runtime accepts work (false once shutdown has started).</summary>
    public bool IsRunning => Volatile.Read(ref _shutdownStarted) == 0;

    /// <summary><see cref="PythonRuntimeOptions.CallingThreadRunLimit"/>, in <see cref="Stopwatch"/> ticks.</summary>
    internal long CallingThreadRunLimit { get; }

    /// <summary>The dedicated Python threads behind <see cref="RunAsync{T}(Func{T}, CancellationToken)"/>.</summary>
    internal PythonWorkerPool Workers => _workers;

    /// <summary>Why the last <see cref="Shutdown"/> gave up without finalizing Python; <see langword="null"/> when it did not.</summary>
    internal string? ShutdownProblem => Volatile.Read(ref _shutdownProblem);

    /// <summary>Thread states that PyChecks created for .NET threads and has not yet deleted (those of exited threads are reclaimed under the GIL).</summary>
    internal static long LiveThreadStates => ThreadGil.LiveThreadStates;

    /// <summary>
    /// Finds libpython, loads it with <c>RTLD_NOW | RTLD_GLOBAL</c>, and initializes the interpreter as its python
    /// executable starts (a virtual environment's, when one was chosen).
    /// </summary>
    /// <param name="options">Where Python is and how to start it; <see langword="null"/> for discovery with defaults.</param>
    /// <exception cref="PythonRuntimeException">
    /// No usable libpython was found (the message lists every place tried), the interpreter failed
    /// to start, or Python was already initialized in this process.
    /// </exception>
    public static PythonRuntime Initialize(PythonRuntimeOptions? options = null) =>
        Initialize(options ?? new PythonRuntimeOptions(), DiscoveryEnvironment.Process, s_defaultModules);

    /// <summary>As <see cref="Initialize(PythonRuntimeOptions?)"/>, with the modules <paramref name="registerModules"/> appends to CPython's built-ins once libpython is bound, before the interpreter starts.</summary>
    internal static PythonRuntime Initialize(PythonRuntimeOptions options, Action registerModules) =>
        Initialize(options, DiscoveryEnvironment.Process, registerModules);

    internal static PythonRuntime Initialize(PythonRuntimeOptions options, DiscoveryEnvironment environment, Action? registerModules = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorkerCount, 1, nameof(options.WorkerCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShutdownTimeout, TimeSpan.Zero, nameof(options.ShutdownTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CallingThreadRunLimit, TimeSpan.Zero, nameof(options.CallingThreadRunLimit));
        lock (s_lock)
        {
            if (s_initializedBy is not null)
            {
                throw new PythonRuntimeException(
                    $"Python was already initialized in this process ({s_initializedBy}). CPython supports one interpreter per process and cannot be " +
                    "started again after shutdown: initialize once at start and share PythonRuntime.Current.");
            }

            var (library, location) = new PythonLocator(options, environment).Locate();
            unsafe
            {
                CPython.Bind(library);
                if (CPython.Py_IsInitialized() != 0)
                {
                    throw new PythonRuntimeException($"'{location.LibraryPath}' is already initialized by other code in this process; PyChecks must own the interpreter.");
                }
            }

            PyObject.InitializeSingletons();
            s_initializedBy = $"{location.LibraryPath}, at {DateTimeOffset.UtcNow:O}";

            var interpreter = new InterpreterThread(location, options, registerModules);
            PythonVersionInfo version;
            try
            {
                version = interpreter.Start();
            }
            catch (PythonException e)
            {
                throw new PythonRuntimeException($"Python {location.LibraryPath} started but its set-up failed: {e.Message}", e);
            }

            var runtime = new PythonRuntime(location, version, interpreter, new PythonWorkerPool(options.WorkerCount), options.ShutdownTimeout, options.CallingThreadRunLimit);
            Volatile.Write(ref s_current, runtime);
            return runtime;
        }
    }

    /// <summary>Sets the modules that <see cref="Initialize(PythonRuntimeOptions?)"/> registers.</summary>
    internal static void UseDefaultModules(Action modules)
    {
        s_defaultModules = modules;
    }

    /// <summary>
    /// Takes the GIL for the current thread and returns the scope that holds it; dispose it (with
    /// <see langword="using"/>) on the same thread. Scopes nest: inner ones cost a counter increment.
    /// </summary>
    /// <exception cref="PythonRuntimeException">The runtime has been shut down.</exception>
    public GilScope AcquireGil()
    {
        if (_shutdownStarted != 0)
        {
            throw new PythonRuntimeException("The Python runtime has been shut down; CPython cannot be started twice in one process.");
        }

        return ThreadGil.Enter();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one of the runtime's dedicated Python threads, with the GIL held.
    /// </summary>
    /// <param name="work">The work; it may call any <see cref="PyObject"/> member.</param>
    /// <param name="cancellationToken">Cancels the work if it has not started yet; started work runs to its end.</param>
    /// <returns>The work's result, its exception, or a cancelled task.</returns>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default) => _workers.RunAsync(work, cancellationToken);

    /// <summary>
    /// Stops the runtime: the worker threads finish their current work, the runtime waits for every
    /// thread to leave its GIL scopes, then finalizes Python on the thread that initialized it.
    /// Waits at most <paramref name="timeout"/> (default: <see cref="PythonRuntimeOptions.ShutdownTimeout"/>).
    /// </summary>
    /// <returns>
    /// <see langword="true"/> when Python was finalized; <see langword="false"/> when the wait ran out
    /// (a thread kept its scope, or <c>Py_FinalizeEx</c> waits on a Python thread that never ends). The
    /// interpreter is then left as it is, refusing new scopes, and the process can still exit.
    /// </returns>
    public bool Shutdown(TimeSpan? timeout = null)
    {
        var budget = timeout ?? _shutdownTimeout;
        long deadline = Math.Min(Environment.TickCount64 + (long)budget.TotalMilliseconds, Interlocked.Read(ref _shutdownLimit));
        TimeSpan Remaining() => TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));
        if (Interlocked.Exchange(ref _shutdownStarted, 1) != 0)
        {
            // Wait no longer than the first shutdown does: once it has given up, a second one (a container disposing
            // both the runtime and the CheckHost that owns it) must not wait its whole budget again.
            deadline = Math.Min(deadline, Interlocked.Read(ref _shutdownDeadline));
            return _interpreter.WaitFinalized(Remaining());
        }

        Interlocked.Exchange(ref _shutdownDeadline, deadline);
        Volatile.Write(ref s_current, null);
        if (!_workers.Stop(Remaining()))
        {
            // A worker still in a run (blocked in C, or a loop that catches its interrupt) keeps its GIL scope.
            Volatile.Write(ref _shutdownProblem, "a Python worker thread is still running a check (blocked in C code, or ignoring its interrupt)");
        }

        if (ThreadGil.CloseAndDrain(Remaining()) is int attached and > 0)
        {
            Volatile.Write(ref _shutdownProblem, $"{attached} thread(s) still hold a GIL scope" + (_shutdownProblem is { } worker ? $": {worker}" : string.Empty));
            return false;
        }

        if (!_interpreter.Finalize(Remaining()))
        {
            Volatile.Write(ref _shutdownProblem, "Py_FinalizeEx did not return: it waits for a non-daemon Python thread (threading.Thread) that does not end");
            return false;
        }

        Volatile.Write(ref _shutdownProblem, null);
        return true;
    }

    /// <summary>
    /// Makes a later <see cref="Shutdown"/> end no later than <paramref name="within"/> from now, whatever its own
    /// budget: a host that stops within its shutdown timeout passes what is left of it, so that stopping the scheduler
    /// and shutting Python down share one timeout instead of waiting one each.
    /// </summary>
    internal void LimitShutdown(TimeSpan within)
    {
        long limit = Environment.TickCount64 + (long)Math.Max(0, within.TotalMilliseconds);
        long current = Interlocked.Read(ref _shutdownLimit);
        while (limit < current)
        {
            long seen = Interlocked.CompareExchange(ref _shutdownLimit, limit, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Shuts the runtime down with the configured timeout; see <see cref="Shutdown"/>.</summary>
    public void Dispose() => Shutdown();

    /// <summary>The thread that initializes Python, then waits to finalize it: CPython wants both on one thread.</summary>
    private sealed class InterpreterThread(PythonLocation location, PythonRuntimeOptions options, Action? registerModules)
    {
        private readonly TaskCompletionSource<PythonVersionInfo> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finalizeRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finalized = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PythonVersionInfo Start()
        {
            new Thread(Run) { IsBackground = true, Name = "PyChecks interpreter" }.Start();
            return _started.Task.GetAwaiter().GetResult();
        }

        public bool Finalize(TimeSpan timeout)
        {
            _finalizeRequested.TrySetResult();
            return WaitFinalized(timeout);
        }

        public bool WaitFinalized(TimeSpan timeout) => _finalized.Task.Wait(timeout);

        private unsafe void Run()
        {
            try
            {
                registerModules?.Invoke();
            }
            catch (Exception e)
            {
                _started.TrySetException(e);
                return;
            }

            try
            {
                PythonStartup.Initialize(location.LibraryPath, location.Executable, options.Isolated);
            }
            catch (PythonRuntimeException e)
            {
                // Nothing to finalize: CPython cannot be initialized again in this process anyway.
                _started.TrySetException(e);
                _finalized.TrySetResult();
                return;
            }

            ThreadGil.Open();
            try
            {
                using (ThreadGil.Enter())
                {
                    CPython.ReadSingletons();

                    // threading takes the importing thread as its main thread, which Py_FinalizeEx expects to be this one.
                    PyObject.Import("threading").Dispose();
                    AddSearchPaths(options);
                    _started.SetResult(ReadVersion(location));
                }
            }
            catch (Exception e)
            {
                _started.TrySetException(e);
            }

            nint mainThreadState = CPython.PyEval_SaveThread();
            _finalizeRequested.Task.Wait();
            CPython.PyEval_RestoreThread(mainThreadState);
            ThreadGil.DrainPending();
            _ = CPython.Py_FinalizeEx();
            _finalized.TrySetResult();
        }
    }

    private static void AddSearchPaths(PythonRuntimeOptions options)
    {
        using var sys = PyObject.Import("sys");
        using var path = sys.GetAttr("path");
        for (int i = options.SearchPaths.Count - 1; i >= 0; i--)
        {
            using var folder = PyObject.From(Path.GetFullPath(options.SearchPaths[i]));
            using var zero = PyObject.From(0L);
            path.CallMethod("insert", zero, folder).Dispose();
        }
    }

    private static PythonVersionInfo ReadVersion(PythonLocation location)
    {
        using var sys = PyObject.Import("sys");
        using var info = sys.GetAttr("version_info");
        using var major = info.GetAttr("major");
        using var minor = info.GetAttr("minor");
        using var micro = info.GetAttr("micro");
        using var level = info.GetAttr("releaselevel");
        using var implementation = sys.GetAttr("implementation");
        using var name = implementation.GetAttr("name");
        using var full = sys.GetAttr("version");
        return new PythonVersionInfo
        {
            Major = major.As<int>(),
            Minor = minor.As<int>(),
            Micro = micro.As<int>(),
            ReleaseLevel = level.As<string>(),
            Implementation = name.As<string>(),
            LibraryPath = location.LibraryPath,
            FullVersion = full.As<string>(),
        };
    }
}
