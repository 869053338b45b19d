using BenchmarkDotNet.Attributes;
using PyChecks.Interop;

namespace PyChecks.Benchmarks;

/// <summary>
/// B1, host → Python call: the host calls <c>def noop(): return None</c> with the GIL held
/// throughout, through <see cref="PyObject.Call()"/> and, as the baseline, through the raw C API
/// (<c>Py_DecRef(PyObject_CallNoArgs(noop))</c>).
/// </summary>
/// <remarks>
/// Each invocation takes the GIL once (the same PyChecks scope in both cases) and makes
/// <see cref="Calls"/> calls, so the result is the cost of one call with the scope's cost spread
/// over a thousand calls. Target: <see cref="PyObjectCall"/> ≤ 1.3 × <see cref="RawCApi"/>, 0 B allocated.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class HostToPythonCall
{
    /// <summary>Calls per benchmark invocation.</summary>
    public const int Calls = 1_000;

    private PythonRuntime? _runtime;
    private PyObject? _noop;
    private nint _noopHandle;

    /// <summary>Starts Python and defines <c>noop</c> (on a set-up thread).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonHost.Start();
        _noop = PythonHost.OnSetupThread(_runtime, () =>
        {
            using var module = PyObject.CreateModule("b1_call", "def noop():\n    return None\n");
            return module.GetAttr("noop");
        });
        _noopHandle = _noop.Handle;
    }

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup() => PythonHost.Stop(_runtime, _noop);

    /// <summary>Baseline: <c>Py_DecRef(PyObject_CallNoArgs(noop))</c> through the raw function pointers.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public unsafe void RawCApi()
    {
        using (_runtime!.AcquireGil())
        {
            nint noop = _noopHandle;
            for (int i = 0; i < Calls; i++)
            {
                CPython.Py_DecRef(CPython.PyObject_CallNoArgs(noop));
            }
        }
    }

    /// <summary>PyChecks: <c>noop.Call().Dispose()</c> (GIL check, call, error check, cached <c>None</c>).</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public void PyObjectCall()
    {
        using (_runtime!.AcquireGil())
        {
            var noop = _noop!;
            for (int i = 0; i < Calls; i++)
            {
                noop.Call().Dispose();
            }
        }
    }
}
