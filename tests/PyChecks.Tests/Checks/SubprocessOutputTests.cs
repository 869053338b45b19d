using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary><c>_util.subprocess_output</c> runs real commands with the Agent's contract, without holding the GIL.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SubprocessOutputTests
{
    private const string Trivial = """
        from datadog_checks.base import AgentCheck
        class Trivial(AgentCheck):
            def check(self, instance):
                pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SubprocessOutput_RealCommands_ReturnStdoutStderrAndExitCode(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        using var host = folder.Start([]);
        using var gil = host.Runtime.AcquireGil();
        var outcomes = AgentBuiltinTests.Outcomes("subprocess_cases", """
            import _util
            sh = '/bin/sh'
            def empty_error():
                try:
                    _util.subprocess_output([sh, '-c', 'echo oops >&2'], True)
                except _util.SubprocessOutputEmptyError as e:
                    return 'SubprocessOutputEmptyError: {} (an Exception: {})'.format(e, isinstance(e, Exception))
            cases = {
                'stdout and stderr': lambda: _util.subprocess_output([sh, '-c', 'echo out; echo err >&2; exit 3']),
                'alias': lambda: _util.get_subprocess_output([sh, '-c', 'printf x'], False),
                'env replaces the environment': lambda: _util.subprocess_output(['/usr/bin/env'], env={'ONLY': 'this'}),
                'empty env inherits': lambda: _util.subprocess_output([sh, '-c', 'printf "$HOME"'], env={})[0] != '',
                'stdin is closed': lambda: _util.subprocess_output(['/bin/cat']),
                'empty output allowed': lambda: _util.subprocess_output(['/bin/true'], False),
                'empty output raises': empty_error,
                'missing command': lambda: _util.subprocess_output(['/nonexistent/command-that-does-not-exist']),
                'missing command raises when asked': lambda: _util.subprocess_output(['/nonexistent/x'], raise_on_empty=True),
                'not a list': lambda: _util.subprocess_output('ls'),
                'empty list': lambda: _util.subprocess_output([]),
                'argument not str': lambda: _util.subprocess_output(['ls', 1]),
                'env not a dict': lambda: _util.subprocess_output(['ls'], env=[('A', 'b')]),
                'env value not str': lambda: _util.subprocess_output(['ls'], env={'A': 1}),
                'raise not bool': lambda: _util.subprocess_output(['ls'], 1),
                'env positional': lambda: _util.subprocess_output(['ls'], False, {}),
                'unknown keyword': lambda: _util.subprocess_output(['ls'], shell=True),
                'no command': lambda: _util.subprocess_output(),
            }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes["stdout and stderr"], Is.EqualTo("returned ('out\\n', 'err\\n', 3)"));
            Assert.That(outcomes["alias"], Is.EqualTo("returned ('x', '', 0)"));
            Assert.That(outcomes["env replaces the environment"], Is.EqualTo("returned ('ONLY=this\\n', '', 0)"));
            Assert.That(outcomes["empty env inherits"], Is.EqualTo("returned True"));
            Assert.That(outcomes["stdin is closed"], Is.EqualTo("returned ('', '', 0)"));
            Assert.That(outcomes["empty output allowed"], Is.EqualTo("returned ('', '', 0)"));
            Assert.That(outcomes["empty output raises"], Is.EqualTo("returned 'SubprocessOutputEmptyError: get_subprocess_output expected output but had none. (an Exception: True)'"));
            Assert.That(outcomes["missing command"], Is.EqualTo("returned ('', '', 0)"), "as in the Agent, which logs why");
            Assert.That(outcomes["missing command raises when asked"], Is.EqualTo("SubprocessOutputEmptyError: get_subprocess_output expected output but had none."));
            Assert.That(outcomes["not a list"], Is.EqualTo("TypeError: command args is not a list"));
            Assert.That(outcomes["empty list"], Is.EqualTo("TypeError: invalid command: empty list"));
            Assert.That(outcomes["argument not str"], Is.EqualTo("TypeError: command argument must be valid strings"));
            Assert.That(outcomes["env not a dict"], Is.EqualTo("TypeError: env is not a dict"));
            Assert.That(outcomes["env value not str"], Is.EqualTo("TypeError: env value is not a string"));
            Assert.That(outcomes["raise not bool"], Is.EqualTo("TypeError: bad raise_on_empty argument: should be bool"));
            Assert.That(outcomes["env positional"], Is.EqualTo("TypeError: get_subprocess_output() takes at most 2 positional arguments (3 given)"));
            Assert.That(outcomes["unknown keyword"], Is.EqualTo("TypeError: 'shell' is an invalid keyword argument for get_subprocess_output()"));
            Assert.That(outcomes["no command"], Is.EqualTo("TypeError: get_subprocess_output() missing required argument 'command' (pos 1)"));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SubprocessOutput_WhileTheChildRuns_OtherPythonThreadsRun(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        using var host = folder.Start([]);
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("subprocess_gil", """
            import threading, _util
            ticks = [0]
            stop = threading.Event()
            def spin():
                while not stop.is_set():
                    ticks[0] += 1
                    stop.wait(0.01)
            t = threading.Thread(target=spin)
            t.start()
            out = _util.subprocess_output(['/bin/sh', '-c', 'sleep 0.5; echo done'])
            during = ticks[0]
            stop.set()
            t.join()
            """);
        using var during = module.GetAttr("during");
        using var output = module.GetAttr("out");
        Assert.That(output.ToClr(), Is.EqualTo(new object?[] { "done\n", "", 0L }).AsCollection);
        Assert.That((long)during.ToClr()!, Is.GreaterThan(10), "the thread ran while the child slept: the GIL was released");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void HostDispose_WhileAChildRuns_KillsItAndReturns(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        string pidFile = Path.Combine(folder.Root, "child.pid");
        var host = folder.Start([], o => o.Python.ShutdownTimeout = TimeSpan.FromSeconds(20));
        using (host.Runtime.AcquireGil())
        {
            using var module = PyObject.CreateModule("subprocess_long", $$"""
                import threading, _util
                result = []
                def run():
                    result.append(_util.subprocess_output(['/bin/sh', '-c', 'echo $$ > {{pidFile}}; exec sleep 300']))
                threading.Thread(target=run, daemon=True).start()
                """);
        }

        Eventually.That(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), "the child started");
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        host.Dispose();

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "the host did not wait for the child's 300 s");
        Eventually.That(() => !Directory.Exists("/proc/" + pid), "the child was killed");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunCancelled_WhileItsChildRuns_KillsTheChildAndInterruptsTheRun(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("slow", """
            import _util
            from datadog_checks.base import AgentCheck
            class Slow(AgentCheck):
                def check(self, instance):
                    _util.subprocess_output(['/bin/sleep', '300'])
                    self.gauge('after.child', 1)
            """).Config("slow", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = check.RunAsync(cancel.Token).GetAwaiter().GetResult();

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "the run did not wait for the child's 300 s");
        Assert.That(result.Interrupted, Is.True, result.Error);
        Assert.That(sender.Metrics, Is.Empty, "the interrupt reached the check as soon as the child was gone");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ToolkitGetSubprocessOutput_OnTheRealToolkit_RunsTheCommand(PythonInstall install)
    {
        if (!install.Label.EndsWith("Debian", StringComparison.Ordinal))
        {
            Assert.Ignore("The toolkit's dependencies are installed for Debian's 3.11 only, which is absent: " + install.Looked);
        }

        if (DatadogSources.ToolkitMissing() is { } missing)
        {
            Assert.Ignore(missing);
        }

        Isolated.Run(install, ToolkitScenario);
    }

    private static void ToolkitScenario()
    {
        var toolkit = DatadogSources.ToolkitSearchPaths();
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        using var host = folder.Start([], o =>
        {
            o.DatadogImportAliases = false;
            foreach (string path in toolkit)
            {
                o.Python.SearchPaths.Add(path);
            }
        });
        using var gil = host.Runtime.AcquireGil();
        var outcomes = AgentBuiltinTests.Outcomes("toolkit_subprocess", $$"""
            import sys
            import logging
            from datadog_checks.base.utils.subprocess_output import get_subprocess_output, SubprocessOutputEmptyError
            import _util
            log = logging.getLogger('test')
            cases = {
                'list': lambda: get_subprocess_output(['/bin/sh', '-c', 'echo hello; echo warn >&2; exit 1'], log),
                'string': lambda: get_subprocess_output('/bin/echo a b', log),
                'empty raises': lambda: get_subprocess_output(['/bin/true'], log),
                'same error class': lambda: SubprocessOutputEmptyError is _util.SubprocessOutputEmptyError,
            }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes["list"], Is.EqualTo("returned ('hello\\n', 'warn\\n', 1)"));
            Assert.That(outcomes["string"], Is.EqualTo("returned ('a b\\n', '', 0)"));
            Assert.That(outcomes["empty raises"], Is.EqualTo("SubprocessOutputEmptyError: get_subprocess_output expected output but had none."));
            Assert.That(outcomes["same error class"], Is.EqualTo("returned True"));
        });
    }
}
