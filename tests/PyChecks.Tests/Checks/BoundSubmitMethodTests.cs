using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// On 3.9 and 3.10, <c>_AgentCheckBase</c>'s submission methods bind once for the running check (the interpreter would
/// allocate a bound method per sample there): what Python code can observe of them, and that the check's instance is
/// still released with the check.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class BoundSubmitMethodTests
{
    private const string BoundCheck = """
        import sys
        import types
        import weakref

        import aggregator
        from pychecks import AgentCheck

        WRAPPED = sys.version_info < (3, 11)
        IDS = []
        REFS = []


        def another():
            # In a function, so that the loader finds BoundCheck alone.
            class Another(AgentCheck):
                pass

            return Another('another', {}, [{}])


        class BoundCheck(AgentCheck):
            def check(self, instance):
                raw = vars(aggregator._AgentCheckBase)['gauge']
                assert (type(raw).__name__ == '_SubmitMethod') == WRAPPED, type(raw)
                # Read on the class, each method is the method descriptor itself, whatever holds it.
                assert type(AgentCheck.gauge) is types.MethodDescriptorType, type(AgentCheck.gauge)
                assert isinstance(raw, types.MethodDescriptorType), type(raw)
                assert raw.__name__ == 'gauge' and repr(raw) == repr(AgentCheck.gauge), (raw.__name__, repr(raw))
                assert raw.__text_signature__ == AgentCheck.gauge.__text_signature__
                # On the running check: one bound method for all its runs (3.9/3.10), a new one each time otherwise.
                bound = self.gauge
                plain = AgentCheck.gauge.__get__(self, type(self))  # as the method descriptor binds
                assert type(bound) is type(plain) and bound.__self__ is self and bound == plain, (type(bound), type(plain))
                assert (self.gauge is bound) == WRAPPED
                assert super().gauge.__self__ is self
                IDS.append(id(bound))
                # On another instance: bound as the method descriptor binds, each time.
                other = another()
                assert other.gauge is not other.gauge and other.gauge.__self__ is other
                bound('bound.kept', 1.0, tags=['run:' + str(len(IDS))])
                self.count('bound.count', 2)
                AgentCheck.gauge(self, 'bound.unbound', 3.0)
                raw(self, 'bound.raw', 4.0)
                if not REFS:
                    REFS.append(weakref.ref(self))
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void OnTheRunningCheck_BoundOnceForItsRuns_ElsewhereAsTheDescriptorBinds_AndTheInstanceReleasedWithTheCheck(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var sender = new InMemorySender();
        using var host = new CheckFolder().Check("bound_check", BoundCheck).Config("bound_check", "instances: [{}]\n").Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        for (int run = 0; run < 2; run++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        Assert.That(sender.Metrics.Select(m => m.Name), Is.EqualTo(new[]
        {
            "bound.kept", "bound.count", "bound.unbound", "bound.raw", "bound.kept", "bound.count", "bound.unbound", "bound.raw",
        }));
        Assert.That(sender.Metrics[4].Tags, Is.EqualTo(new[] { "run:2" }));
        using var gil = host.Runtime.AcquireGil();
        check.Dispose(); // under the GIL: its references are released at once, not queued for the next scope
        using var module = PyObject.Import("bound_check");
        using var wrapped = module.GetAttr("WRAPPED");
        if (wrapped.As<bool>())
        {
            using var sameInBothRuns = module.GetAttr("IDS").CallMethod("count", module.GetAttr("IDS").CallMethod("__getitem__", PyObject.From(0)));
            Assert.That(sameInBothRuns.As<long>(), Is.EqualTo(2), "the same bound method in both runs");
        }

        using var gc = PyObject.Import("gc");
        gc.CallMethod("collect").Dispose();
        using var instance = module.GetAttr("REFS").CallMethod("__getitem__", PyObject.From(0)).Call();
        Assert.That(instance.IsNone, Is.True, "the check's instance outlived its disposal");
    });
}
