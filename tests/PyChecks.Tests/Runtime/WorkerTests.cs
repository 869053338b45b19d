using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Runtime;

/// <summary>Python work given to the runtime's dedicated threads.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkerTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunAsync_RunsOnDedicatedThreadsWithTheGil_AndPropagatesPythonErrors(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize(o => o.WorkerCount = 2);
        var results = Task.WhenAll(Enumerable.Range(0, 20).Select(i => runtime.RunAsync(() =>
        {
            using var value = PyObject.From((long)i);
            using var builtins = PyObject.Import("builtins");
            using var pow = builtins.GetAttr("pow");
            using var two = PyObject.From(2L);
            using var squared = pow.Call(value, two);
            return (squared.As<long>(), Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
        }))).GetAwaiter().GetResult();

        Assert.That(results.Select(r => r.Item1), Is.EqualTo(Enumerable.Range(0, 20).Select(i => (long)i * i)));
        Assert.That(results.Select(r => r.Name).Distinct(), Is.SubsetOf(new[] { "PyChecks worker 1", "PyChecks worker 2" }));
        Assert.That(results.Any(r => r.IsThreadPoolThread), Is.False);

        var failed = runtime.RunAsync(() => PyObject.Import("no_such_module"));
        var error = Assert.ThrowsAsync<PythonException>(async () => await failed)!;
        Assert.That(error.PythonType, Is.EqualTo("ModuleNotFoundError"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunAsync_CancelledBeforeItStarts_NeverRuns(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize(o => o.WorkerCount = 1);
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var blocker = runtime.RunAsync(() =>
        {
            started.Set();
            release.Wait(); // holds the only worker (and the GIL: nothing else needs it here)
            return 0;
        });
        started.Wait();

        using var cancellation = new CancellationTokenSource();
        int ran = 0;
        var queued = runtime.RunAsync(() => Interlocked.Increment(ref ran), cancellation.Token);
        cancellation.Cancel();
        Assert.That(queued.IsCanceled, Is.True, "cancelling a queued item completes its task at once");
        release.Set();
        Assert.That(blocker.GetAwaiter().GetResult(), Is.Zero);
        Assert.That(runtime.RunAsync(() => 1).GetAwaiter().GetResult(), Is.EqualTo(1), "the worker goes on after skipping the cancelled item");
        Assert.That(ran, Is.Zero);
        Assert.That(runtime.RunAsync(() => 1, new CancellationToken(canceled: true)).IsCanceled, Is.True);
    });
}
