using System.Diagnostics;
using System.Text.Json;
using PyChecks.Builtins;
using PyChecks.Interop;

namespace PyChecks.Checks;

/// <summary>A Python check instance: the check object, its bound <c>run</c>, and its submission context.</summary>
internal sealed partial class PythonCheck : IWorkerCheck
{
    private readonly PythonRuntime _runtime;
    private readonly SubmissionRouter _router;
    private readonly CheckRunContext _context;
    private readonly PyObject _instance;
    private readonly CheckEntry _entry;
    private readonly PyObject _run;
    private readonly bool _runsDirectly;
    private readonly PyObject? _output;
    private readonly PyObject? _pending; // _output.pending, the list it keeps for its life
    private readonly PyObject _getWarnings;
    private readonly PyObject _plainGetWarnings;
    private readonly Func<CheckRunResult> _runOnWorker;
    private static PyObject? s_interruptType;
    private static PyObject? s_deliverInterrupt;
    private int _disposed;
    private int _running;
    private CancellationToken _runToken;
    private long _lastRunTicks; // the previous run's own time in Stopwatch ticks, written at its end; 0 before the first

    // Kept from one run to the next, so that a scheduled run allocates neither (a check runs one run at a time): the work
    // item once its run has ended, and the interrupt request when its callback was unregistered before it could run.
    private WorkerRun? _spareWorkerRun;
    private InterruptRequest? _spareInterrupt;

    // Read and written with the GIL held only: the run on its worker and an interrupt request are serialized by it.
    private long _runNumber;
    private nuint _runThread;
    private bool _inPython;
    private bool _interruptSent;

    // The run's thread and its interrupt, read by DiagnoseOverrun from other threads: Stopwatch timestamps, 0 for none.
    private Runtime.OsThread _runOsThread;
    private long _interruptRequestedAt;
    private long _interruptSetAt;
    private long _cpuAtRequest;
    private Task<TimeSpan>? _probe;

    public PythonCheck(PythonRuntime runtime, SubmissionRouter router, CheckEntry entry, CheckInstanceConfig config, PyObject instance, string source, string version, IReadOnlyList<string> loadWarnings)
    {
        _runtime = runtime;
        _router = router;
        _entry = entry;
        _instance = instance;
        // Every call into the check goes through pychecks._entry (output capture, working directory, forked children),
        // but AgentCheck's own run(), made on every run: CheckEntry makes the same checks around it from here.
        using (var module = PyObject.Import("pychecks._entry"))
        using (var name = PyObject.From(config.CheckName))
        using (var getWarnings = instance.GetAttr("get_warnings"))
        using (var direct = module.CallMethod("runs_directly", instance))
        {
            _runsDirectly = direct.As<bool>();
            var run = instance.GetAttr("run");
            if (_runsDirectly)
            {
                _run = run;
            }
            else
            {
                using (run)
                {
                    _run = module.CallMethod("bind", run, name);
                }
            }

            var output = module.CallMethod("output_of", name);
            if (output.IsNone)
            {
                output.Dispose();
            }
            else
            {
                _output = output;
                _pending = CheckEntry.PendingOf(output);
            }

            _getWarnings = module.CallMethod("bind", getWarnings, name);
            _plainGetWarnings = module.CallMethod("plain_get_warnings");
        }

        _runOnWorker = Run;
        Id = config.CheckId;
        Name = config.CheckName;
        Interval = config.Interval;
        Source = source;
        Version = version;
        LoadWarnings = loadWarnings;
        _context = new CheckRunContext(config.CheckId, config.CheckName, config.Tags) { Instance = instance.Handle };
        router.Register(_context);
    }

    public string Id { get; }

    public string Name { get; }

    public string Version { get; }

    public TimeSpan Interval { get; }

    public string Source { get; }

    public IReadOnlyList<string> LoadWarnings { get; }

    public IReadOnlyDictionary<string, string> Metadata => _context.Metadata;

    /// <summary>Sends what this instance submits during its runs to <paramref name="sender"/> only, not to the host's senders.</summary>
    public void CaptureTo(ISender sender) => _context.Capture = [sender];

    public Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return Task.FromException<CheckRunResult>(new InvalidOperationException($"Check {Id} is already running; an instance runs one run at a time."));
        }

        _runToken = cancellationToken;
        if (RunsOnCallingThread(cancellationToken))
        {
            var here = Workers.PythonWorkerPool.RunHere(_runOnWorker);
            EndRun();
            return here;
        }

        var run = _runtime.RunAsync(_runOnWorker, cancellationToken);
        if (run.IsCompleted)
        {
            EndRun();
            return run;
        }

        return run.ContinueWith(
            static (task, state) =>
            {
                ((PythonCheck)state!).EndRun();
                return task;
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// Whether this run goes on the calling thread (see <see cref="PythonRuntimeOptions.CallingThreadRunLimit"/>): no token
    /// to cancel it with, a previous run that was short, and a thread that is nobody's pool or loop.
    /// </summary>
    private bool RunsOnCallingThread(CancellationToken cancellationToken)
    {
        long last = Volatile.Read(ref _lastRunTicks);
        return last > 0 && last <= _runtime.CallingThreadRunLimit && !cancellationToken.CanBeCanceled
            && !Thread.CurrentThread.IsThreadPoolThread && SynchronizationContext.Current is null && _runtime.IsRunning;
    }

    /// <summary>
    /// Runs the check on a Python worker like <see cref="RunAsync"/>, then calls <paramref name="completed"/> on that
    /// worker, outside the GIL: no task and no hop to the thread pool (the scheduler's path). The callback gets the
    /// result, or the exception (an <see cref="OperationCanceledException"/> when cancelled before it started).
    /// </summary>
    /// <returns>Whether the run was queued: false when the check is disposed or running, or the runtime is stopping.</returns>
    /// <param name="completed">Called on the worker when the run has ended.</param>
    /// <param name="state">Passed to the callbacks.</param>
    /// <param name="cancellationToken">Cancels the run (an interrupt once it has started).</param>
    /// <param name="acquired">Called on the worker, with the GIL held, the moment the run has it: its timeout starts then.</param>
    /// <param name="deferWake">Queue the run without waking a worker: the caller wakes one for several runs.</param>
    public bool TryRunOnWorker(Action<CheckRunResult?, Exception?, object?> completed, object? state, CancellationToken cancellationToken, Action<object?>? acquired = null, bool deferWake = false)
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _running, 1) != 0)
        {
            return false;
        }

        _runToken = cancellationToken;
        var run = Interlocked.Exchange(ref _spareWorkerRun, null) ?? new WorkerRun(this);
        run.Set(completed, state, acquired, cancellationToken);
        if (deferWake ? _runtime.Workers.TryQueue(run) : _runtime.Workers.TryPost(run))
        {
            return true;
        }

        run.Set(null!, null, null, default);
        Volatile.Write(ref _spareWorkerRun, run);
        EndRun();
        return false;
    }

    public void Cancel()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        using var gil = _runtime.AcquireGil();
        using var cancel = _instance.GetAttr("cancel");
        using var entry = PyObject.Import("pychecks._entry");
        using var name = PyObject.From(Name);
        using var bound = entry.CallMethod("bind", cancel, name);
        bound.Call().Dispose();
    }

    /// <summary>Releases the Python check; when a run is in progress, as soon as it ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _router.Unregister(_context);
        if (Volatile.Read(ref _running) == 0)
        {
            Release();
        }
    }

    private void EndRun()
    {
        // Not kept until the next run: the run's token source would live long enough to be promoted, and the GC would
        // scan this instance at every collection meanwhile.
        _runToken = default;
        Volatile.Write(ref _running, 0);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Release();
        }
    }

    private void Release()
    {
        _context.ReleaseBoundSubmitMethods();
        _run.Dispose();
        _pending?.Dispose();
        _output?.Dispose();
        _getWarnings.Dispose();
        _plainGetWarnings.Dispose();
        _instance.Dispose();
    }

    /// <summary>One run, with the GIL held: on a Python worker, or on the thread that called <see cref="RunAsync"/>.</summary>
    private CheckRunResult Run()
    {
        // Started when its scope attached, if this run is the first work of a measured scope: one clock read less.
        var gil = ThreadGil.Current;
        long start = gil?.TakeAttachedAt() ?? 0;
        start = start != 0 ? start : Stopwatch.GetTimestamp();
        var startedAt = Runtime.WallClock.At(start);
        var gilWait = gil?.LastAttachWait ?? TimeSpan.Zero;
        string? error = null, traceback = null;
        bool interrupted = false;
        long? tracedBefore = Memory.PythonHeap.TracedBytesForRun(); // null unless PyChecksOptions.TracemallocEnabled
        var previous = CheckRunContext.Current;
        _context.ResetCounts();
        CheckRunContext.Current = _context;
        long runNumber = ++_runNumber;
        _runThread = AsyncExceptions.CurrentThreadId();
        _inPython = true;
        _interruptSent = false;
        _runOsThread = Runtime.OsThread.Current();
        Volatile.Write(ref _interruptRequestedAt, 0);
        Volatile.Write(ref _interruptSetAt, 0);
        var token = _runToken;
        InterruptRequest? interrupt = null;
        var registration = default(CancellationTokenRegistration);
        if (token.CanBeCanceled)
        {
            interrupt = _spareInterrupt ?? new InterruptRequest(this);
            _spareInterrupt = null;
            interrupt.RunNumber = runNumber;
            registration = token.UnsafeRegister(static state => ((InterruptRequest)state!).Post(), interrupt);
        }

        var profiled = Profiling.RunProfiling.Enter(Id); // profiler hook: attach this run to a running profile task of the check
        try
        {
            // run() returns '' on success: no wrapper, no string.
            using var outcome = CallRun();
            string text = outcome?.As<string>() ?? string.Empty;
            if (text.Length != 0)
            {
                (error, traceback) = ParseRunError(text);
                if (error.Length == 0)
                {
                    // raise ValueError() has an empty message: name the exception instead.
                    error = traceback?.TrimEnd().Split('\n')[^1] ?? "the check failed without a message";
                }
            }
        }
        catch (PythonException e)
        {
            // SystemExit, KeyboardInterrupt and other BaseExceptions escape AgentCheck.run(): still a failed run.
            error = e.Message;
            traceback = e.PythonTraceback;
            if (_interruptSent && e.PythonType == "pychecks.errors.CheckInterrupt")
            {
                interrupted = true;
                error = "the run was interrupted (pychecks.CheckInterrupt): it was cancelled or timed out";
            }
        }
        finally
        {
            // Unregister, not Dispose: Dispose would wait for a callback that may be waiting for the GIL held here. When it
            // took the callback off before it ran, the request can never run: the next run may use it.
            if (registration.Unregister())
            {
                _spareInterrupt = interrupt;
            }

            Profiling.RunProfiling.Exit(profiled); // profiler hook: detach, under the GIL, before the run returns
            _inPython = false;
            if (_interruptSent)
            {
                // The interrupt may still be pending if the check returned first: drop it, so it cannot hit later code.
                AsyncExceptions.WithdrawOwn(s_interruptType!, s_deliverInterrupt!);
            }

            CheckRunContext.Current = previous;
        }

        long end = Stopwatch.GetTimestamp();
        var duration = Stopwatch.GetElapsedTime(start, end);
        Volatile.Write(ref _lastRunTicks, Math.Max(1, end - start));
        long requestedAt = Volatile.Read(ref _interruptRequestedAt), setAt = Volatile.Read(ref _interruptSetAt);
        long? memoryDelta = Memory.PythonHeap.TracedBytesForRun() - tracedBefore;
        IReadOnlyList<string> warnings = ReadWarnings();
        var result = new CheckRunResult
        {
            CheckId = Id,
            Error = error,
            Traceback = traceback,
            Interrupted = interrupted,
            Warnings = warnings,
            StartedAt = startedAt,
            Duration = duration,
            Metrics = _context.Metrics,
            ServiceChecks = _context.ServiceChecks,
            Events = _context.Events,
            HistogramBuckets = _context.HistogramBuckets,
            PythonMemoryDelta = memoryDelta,
            GilWait = gilWait,
            InterruptGilWait = requestedAt != 0 && setAt != 0 ? Stopwatch.GetElapsedTime(requestedAt, setAt) : null,
        };

        // Samples submitted before an error are kept: every run is committed.
        _router.Commit(_context, new CheckRunSummary
        {
            CheckId = Id,
            CheckName = Name,
            Succeeded = error is null,
            Metrics = result.Metrics,
            ServiceChecks = result.ServiceChecks,
            Events = result.Events,
            HistogramBuckets = result.HistogramBuckets,
        });
        return result;
    }

    /// <summary>
    /// Raises <c>pychecks.CheckInterrupt</c> in the check's Python code if run <paramref name="runNumber"/> is still
    /// in it; CPython delivers it at the next bytecode boundary (not while the check is blocked in C).
    /// </summary>
    private void Interrupt(long runNumber)
    {
        try
        {
            using var gil = _runtime.AcquireGil();
            if (!_inPython || _runNumber != runNumber || _interruptSent)
            {
                return;
            }

            s_deliverInterrupt ??= LoadErrorsMember("_deliver_pending");
            s_interruptType ??= LoadErrorsMember("CheckInterrupt");
            _interruptSent = AsyncExceptions.Raise(_runThread, s_interruptType);
            if (_interruptSent)
            {
                Volatile.Write(ref _interruptSetAt, Stopwatch.GetTimestamp());
                _context.KillChildren(); // a check waiting on a child would otherwise only see the interrupt when the child ends
            }
        }
        catch (Exception)
        {
            // The runtime is shutting down, or the check is gone: nothing left to interrupt. Never let it reach the thread pool.
        }
    }

    private static PyObject LoadErrorsMember(string name)
    {
        using var errors = PyObject.Import("pychecks.errors");
        return errors.GetAttr(name);
    }

    /// <summary><c>run()</c> through <see cref="CheckEntry"/>: null when it returned <c>''</c> or <c>None</c>.</summary>
    private unsafe PyObject? CallRun()
    {
        if (!_runsDirectly)
        {
            return _run.CallUnlessEmpty();
        }

        nint result = _entry.Call(_run.Handle, _output?.Handle ?? 0, _pending?.Handle ?? 0);
        if (result == 0)
        {
            throw PythonException.FetchCurrent();
        }

        if (result == CPython.None || result == CPython.EmptyString)
        {
            CPython.Py_DecRefHeld(result); // singletons the interpreter keeps
            return null;
        }

        return PyObject.Steal(result);
    }

    private string[] ReadWarnings()
    {
        if (_entry.WarningsAreEmpty(_instance.Handle, _plainGetWarnings))
        {
            return [];
        }

        try
        {
            using var list = _getWarnings.CallUnlessEmpty();
            if (list?.ToClr() is List<object?> { Count: > 0 } items)
            {
                return items.Select(w => w?.ToString() ?? string.Empty).ToArray();
            }
        }
        catch (PythonException e)
        {
            return [$"get_warnings() failed: {e.Message}"];
        }
        catch (InvalidCastException e)
        {
            return [$"get_warnings() returned something other than a list of str: {e.Message}"];
        }

        return [];
    }

    /// <summary>AgentCheck.run() returns '' or a JSON list of {"message", "traceback"}.</summary>
    private static (string Error, string? Traceback) ParseRunError(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0)
            {
                var first = document.RootElement[0];
                string message = first.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : text;
                string? traceback = first.TryGetProperty("traceback", out var t) ? t.GetString() : null;
                return (message, traceback);
            }
        }
        catch (JsonException)
        {
            // Not Datadog's format: the text itself is the error.
        }

        return (text, null);
    }
}
