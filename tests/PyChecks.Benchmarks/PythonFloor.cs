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

    /// <summary>
    /// Starts Python, compiles the loop (on a set-up thread) and puts the case on the CPU where the loop runs fastest
    /// (<see cref="Quick.CpuLevels.ChooseForCase"/>).
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        Prepare();
        Quick.CpuLevels.ChooseForCase(this);
    }

    /// <summary>Starts Python (or takes the one running) and compiles the loop (on a set-up thread).</summary>
    internal void Prepare()
    {
        _runtime = PythonHost.Start();
        (_run, _count) = PythonHost.OnSetupThread(_runtime, () =>
        {
            using var module = PyObject.CreateModule("b0_floor", Source);
            return (module.GetAttr("run"), PyObject.From(Iterations));
        });
    }

    /// <summary>Reads B0 on the case's CPU again (<see cref="Quick.CpuLevels.EndOfCase"/>), then shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Quick.CpuLevels.EndOfCase();
        PythonHost.Stop(_runtime, _run, _count);
    }

    /// <summary>Lets go of the loop's objects and leaves Python running, for a floor set up beside another benchmark.</summary>
    internal void Release()
    {
        _run?.Dispose(); // Without the GIL: queued, released at the next scope exit.
        _count?.Dispose();
        _run = _count = null;
    }

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
