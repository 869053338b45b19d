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
        var (host, sender, failed, again) = RunEachCallTwice("deep", """
            import json, pickle

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
            """, "python", "repr", "json", "pickle");
        using (host)
        {
            Assert.That(failed.Select(r => r.Succeeded), Is.All.False);
            Assert.That(failed.Select(r => r.Error), Has.All.Contains("maximum recursion depth exceeded"));
            Assert.That(failed.Select(r => r.Traceback), Has.All.Contains("RecursionError"));
            Assert.That(failed[0].Traceback, Does.Contain("in recurse"));
            Assert.That(again.Select(r => r.Error), Is.All.Null, "the same checks run again");
            Assert.That(sender.Metrics.Count(m => m.Name == "deep.run" && m.Value == 2.0), Is.EqualTo(4));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void MemoryErrorInACheck_FromHugeAllocationsOrRaised_IsAFailedRun_AndTheNextRunSucceeds(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (host, sender, failed, again) = RunEachCallTwice("hungry", """
            CALLS = {
                'bytearray': lambda: bytearray(1 << 62),
                'list': lambda: [0] * (1 << 60),
                'str': lambda: 'x' * (1 << 62),
                'raise': lambda: (_ for _ in ()).throw(MemoryError()),
            }
            """, "bytearray", "list", "str", "raise");
        using (host)
        {
            Assert.That(failed.Select(r => r.Succeeded), Is.All.False);
            Assert.That(failed.Select(r => r.Error), Has.All.Contains("MemoryError"), "an empty message is replaced by the exception's name");
            Assert.That(failed.Select(r => r.Traceback), Has.All.Contains("MemoryError"));
            Assert.That(again.Select(r => r.Error), Is.All.Null, "the same checks run again");
            Assert.That(sender.Metrics.Count(m => m.Name == "hungry.run"), Is.EqualTo(8), "the sample before the failure, then the second run's");
            using var gil = host.Runtime.AcquireGil();
            using var builtins = PyObject.Import("builtins");
            using var list = builtins.GetAttr("list");
            using var made = list.Call();
            Assert.That(made.IsNone, Is.False, "Python still allocates");
        }
    });

    /// <summary>
    /// Loads a check named <paramref name="name"/> whose module defines <c>CALLS</c> (<paramref name="calls"/>), one instance per
    /// key of it in <paramref name="keys"/>; each instance submits <c>&lt;name&gt;.run</c>, then calls its entry in its first run only. Runs every instance twice.
    /// </summary>
    private static (CheckHost Host, InMemorySender Sender, List<CheckRunResult> First, List<CheckRunResult> Second) RunEachCallTwice(string name, string calls, params string[] keys)
    {
        string source = "from datadog_checks.base import AgentCheck\n\nruns = {}\n\n" + calls + $$"""


            class FailingOnce(AgentCheck):
                def check(self, instance):
                    call = instance['call']
                    runs[call] = runs.get(call, 0) + 1
                    self.gauge('{{name}}.run', runs[call], tags=['call:' + call])
                    if runs[call] == 1:
                        CALLS[call]()

            """;
        var folder = new CheckFolder().Check(name, source).Config(name, "instances: [" + string.Join(", ", keys.Select(k => $"{{call: {k}}}")) + "]\n");
        var sender = new InMemorySender();
        var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);
        var first = checks.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        var second = checks.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        return (host, sender, first, second);
    }
}
