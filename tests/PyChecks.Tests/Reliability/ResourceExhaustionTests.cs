using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>A check that exhausts the stack or memory fails its run with Python's own error; the host and the check go on.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ResourceExhaustionTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void DeepRecursionInACheck_InPythonOrInC_IsAFailedRunWithRecursionError_AndTheNextRunSucceeds(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // Python frames, and C code recursing on nested data (repr, json, pickle): the last ones use the worker thread's C stack.
        var folder = new CheckFolder().Check("deep", """
            import json, pickle
            from datadog_checks.base import AgentCheck

            runs = {}

            def recurse():
                return recurse()

            def nested(depth):
                value = []
                for _ in range(depth):
                    value = [value]
                return value

            DEPTH = 200000
            CALLS = {
                'python': recurse,
                'repr': lambda: repr(nested(DEPTH)),
                'json': lambda: json.dumps(nested(DEPTH)),
                'pickle': lambda: pickle.dumps(nested(DEPTH)),
            }

            class DeepCheck(AgentCheck):
                def check(self, instance):
                    call = instance['call']
                    runs[call] = runs.get(call, 0) + 1
                    self.gauge('deep.run', runs[call], tags=['call:' + call])
                    if runs[call] == 1:
                        CALLS[call]()
            """).Config("deep", "instances: [{call: python}, {call: repr}, {call: json}, {call: pickle}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);

        var failed = checks.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        Assert.That(failed.Select(r => r.Succeeded), Is.All.False);
        Assert.That(failed.Select(r => r.Error), Has.All.Contains("maximum recursion depth exceeded"));
        Assert.That(failed.Select(r => r.Traceback), Has.All.Contains("RecursionError"));
        Assert.That(failed[0].Traceback, Does.Contain("in recurse"));

        var again = checks.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        Assert.That(again.Select(r => r.Error), Is.All.Null, "the same checks run again");
        Assert.That(sender.Metrics.Count(m => m.Name == "deep.run" && m.Value == 2.0), Is.EqualTo(4));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void MemoryErrorInACheck_FromHugeAllocationsOrRaised_IsAFailedRun_AndTheNextRunSucceeds(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("hungry", """
            from datadog_checks.base import AgentCheck

            runs = {}

            CALLS = {
                'bytearray': lambda: bytearray(1 << 62),
                'list': lambda: [0] * (1 << 60),
                'str': lambda: 'x' * (1 << 62),
                'raise': lambda: (_ for _ in ()).throw(MemoryError()),
            }

            class HungryCheck(AgentCheck):
                def check(self, instance):
                    call = instance['call']
                    runs[call] = runs.get(call, 0) + 1
                    self.gauge('hungry.run', runs[call], tags=['call:' + call])
                    if runs[call] == 1:
                        CALLS[call]()
            """).Config("hungry", "instances: [{call: bytearray}, {call: list}, {call: str}, {call: raise}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);

        var failed = checks.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        Assert.That(failed.Select(r => r.Succeeded), Is.All.False);
        Assert.That(failed.Select(r => r.Error), Has.All.Contains("MemoryError"), "an empty message is replaced by the exception's name");
        Assert.That(failed.Select(r => r.Traceback), Has.All.Contains("MemoryError"));

        var again = checks.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        Assert.That(again.Select(r => r.Error), Is.All.Null, "the same checks run again");
        Assert.That(sender.Metrics.Count(m => m.Name == "hungry.run"), Is.EqualTo(8), "the sample before the failure, then the second run's");
        using var gil = host.Runtime.AcquireGil();
        using var builtins = PyObject.Import("builtins");
        using var list = builtins.GetAttr("list");
        using var made = list.Call();
        Assert.That(made.IsNone, Is.False, "Python still allocates");
    });
}
