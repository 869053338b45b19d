using BenchmarkDotNet.Attributes;
using PyChecks.Interop;

namespace PyChecks.Benchmarks;

/// <summary>
/// B2, GIL scope + call: from a host thread that did not initialize Python, take the GIL, call
/// <c>def noop(): return None</c>, release the GIL; repeated. Three ways, measured side by side:
/// <list type="bullet">
/// <item><see cref="RawPersistentThreadState"/> (baseline): a thread state created once on the
/// benchmark thread, then <c>PyEval_RestoreThread(ts)</c>, the call, <c>PyEval_SaveThread()</c>.</item>
/// <item><see cref="PyChecksGilScope"/>: <c>using (runtime.AcquireGil()) noop.Call().Dispose();</c></item>
/// <item><see cref="GilStateEnsure"/>: <c>PyGILState_Ensure()</c>, the call, <c>PyGILState_Release()</c>
/// on a thread with no thread state of its own, as Datadog's rtloader does per check run; on
/// CPython ≥ 3.11 each round creates and deletes a thread state.</item>
/// </list>
/// </summary>
/// <remarks>
/// Each case runs in its own process (BenchmarkDotNet's default), and set-up takes the GIL on a
/// separate thread, so the benchmark thread has no thread state before the case starts: none of
/// the cases can make another look faster. Targets: <see cref="PyChecksGilScope"/> ≤ 2 × the
/// baseline, and <see cref="GilStateEnsure"/> ≥ 50 × <see cref="PyChecksGilScope"/> on Python ≥ 3.11.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class GilScopeAndCall
{
    /// <summary>Acquire + call + release rounds per benchmark invocation.</summary>
    public const int Rounds = 1_000;

    private PythonRuntime? _runtime;
    private PyObject? _noop;
    private nint _noopHandle;
    private nint _threadState;
    private int _threadStateOwner;
    private bool _checkedNoThreadState;

    /// <summary>Starts Python and defines <c>noop</c> on a set-up thread, never on the benchmark thread.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonHost.Start();
        _noop = PythonHost.OnSetupThread(_runtime, () =>
        {
            using var module = PyObject.CreateModule("b2_gil", "def noop():\n    return None\n");
            return module.GetAttr("noop");
        });
        _noopHandle = _noop.Handle;
    }

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup() => PythonHost.Stop(_runtime, _noop);

    /// <summary>
    /// Baseline: a persistent thread state, created by <c>PyThreadState_New</c> on the benchmark
    /// thread at the first invocation, attached and detached around each call.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rounds)]
    public unsafe void RawPersistentThreadState()
    {
        nint ts = _threadState;
        if (ts == 0)
        {
            // A thread state belongs to the thread that creates it: create it here, not in set-up.
            ts = _threadState = CPython.PyThreadState_New(CPython.PyInterpreterState_Main());
            _threadStateOwner = Environment.CurrentManagedThreadId;
        }
        else if (_threadStateOwner != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException("The benchmark moved to another thread; its thread state belongs to the first one.");
        }

        nint noop = _noopHandle;
        for (int i = 0; i < Rounds; i++)
        {
            CPython.PyEval_RestoreThread(ts);
            CPython.Py_DecRef(CPython.PyObject_CallNoArgs(noop));
            CPython.PyEval_SaveThread();
        }
    }

    /// <summary>PyChecks: an outermost GIL scope around <c>noop.Call().Dispose()</c>.</summary>
    [Benchmark(OperationsPerInvoke = Rounds)]
    public void PyChecksGilScope()
    {
        var runtime = _runtime!;
        var noop = _noop!;
        for (int i = 0; i < Rounds; i++)
        {
            using (runtime.AcquireGil())
            {
                noop.Call().Dispose();
            }
        }
    }

    /// <summary><c>PyGILState_Ensure</c> + call + <c>PyGILState_Release</c> on a thread without a thread state.</summary>
    [Benchmark(OperationsPerInvoke = Rounds)]
    public unsafe void GilStateEnsure()
    {
        if (!_checkedNoThreadState)
        {
            EnsureNoThreadState("before PyGILState_Ensure");
        }

        nint noop = _noopHandle;
        for (int i = 0; i < Rounds; i++)
        {
            int state = CPython.PyGILState_Ensure();
            CPython.Py_DecRef(CPython.PyObject_CallNoArgs(noop));
            CPython.PyGILState_Release(state);
        }

        if (!_checkedNoThreadState)
        {
            // Release deleted the thread state Ensure made: every round pays for a new one.
            EnsureNoThreadState("after PyGILState_Release");
            _checkedNoThreadState = true;
        }
    }

    private static void EnsureNoThreadState(string when)
    {
        if (PythonHost.GilStateThisThreadState() != 0)
        {
            throw new InvalidOperationException(
                $"The benchmark thread has a thread state {when}: PyGILState_Ensure would reuse it and the case would not measure a thread without one.");
        }
    }
}
