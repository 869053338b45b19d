using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks;

/// <summary>
/// B0, the Python floor: what a pure-Python call with a check's typical arguments costs, with no
/// host involved. <c>def s(a, b, c): pass</c> called as <c>s('my.metric', 1.5, t)</c> with
/// <c>t = ['env:prod', 'host:a']</c>, <see cref="Iterations"/> times in a Python <c>for</c> loop.
/// </summary>
/// <remarks>
/// Each invocation takes the GIL once and calls the Python function that runs the whole loop;
/// the result is nanoseconds per loop iteration. B3's targets are multiples of this figure.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class PythonFloor
{
    /// <summary>Loop iterations per benchmark invocation.</summary>
    public const int Iterations = 100_000;

    private const string Source = """
        t = ['env:prod', 'host:a']

        def s(a, b, c):
            pass

        def run(n):
            for i in range(n):
                s('my.metric', 1.5, t)
        """;

    private PythonRuntime? _runtime;
    private PyObject? _run;
    private PyObject? _count;

    /// <summary>Starts Python and compiles the loop (on a set-up thread).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _runtime = PythonHost.Start();
        (_run, _count) = PythonHost.OnSetupThread(_runtime, () =>
        {
            using var module = PyObject.CreateModule("b0_floor", Source);
            return (module.GetAttr("run"), PyObject.From(Iterations));
        });
    }

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup() => PythonHost.Stop(_runtime, _run, _count);

    /// <summary>One <c>run(100000)</c> call, GIL held: ns per loop iteration.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public void PythonLoop()
    {
        using (_runtime!.AcquireGil())
        {
            _run!.Call(_count!).Dispose();
        }
    }
}
