using System.Diagnostics;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Runtime;

/// <summary>Initialization, version, search paths and shutdown, against every installed CPython.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RuntimeLifecycleTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Initialize_ReportsVersionImplementationAndLibrary(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        var version = runtime.Version;
        string expected = Environment.GetEnvironmentVariable("EXPECTED_VERSION")!;
        Assert.Multiple(() =>
        {
            Assert.That($"{version.Major}.{version.Minor}", Is.EqualTo(expected));
            Assert.That(version.Micro, Is.GreaterThanOrEqualTo(0));
            Assert.That(version.ReleaseLevel, Is.EqualTo("final"));
            Assert.That(version.Implementation, Is.EqualTo("cpython"));
            Assert.That(version.LibraryPath, Is.EqualTo(ChildPython.Library));
            Assert.That(version.FullVersion, Does.StartWith(version.ToString()));
            Assert.That(runtime.Location.Source, Is.EqualTo("option PythonRuntimeOptions.Python"));
            Assert.That(PythonRuntime.Current, Is.SameAs(runtime));
        });
    }, Env("EXPECTED_VERSION", install.Version));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Initialize_PutsSearchPathsAtTheFrontOfSysPath(PythonInstall install) => Isolated.Run(install, static () =>
    {
        string first = Directory.CreateTempSubdirectory("pychecks-a").FullName;
        string second = Directory.CreateTempSubdirectory("pychecks-b").FullName;
        File.WriteAllText(Path.Combine(second, "pychecks_probe_module.py"), "ANSWER = 42\n");
        using var runtime = ChildPython.Initialize(o =>
        {
            o.SearchPaths.Add(first);
            o.SearchPaths.Add(second);
        });
        using var gil = runtime.AcquireGil();
        using var sys = PyObject.Import("sys");
        using var path = sys.GetAttr("path");
        var entries = (List<object?>)path.ToClr()!;
        Assert.That(entries.Take(2), Is.EqualTo(new[] { first, second }));
        using var probe = PyObject.Import("pychecks_probe_module");
        using var answer = probe.GetAttr("ANSWER");
        Assert.That(answer.As<long>(), Is.EqualTo(42));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Initialize_Twice_IsAClearError_BeforeAndAfterShutdown(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var runtime = ChildPython.Initialize();
        var again = Assert.Throws<PythonRuntimeException>(() => ChildPython.Initialize());
        Assert.That(again!.Message, Does.Contain("already initialized").And.Contain("one interpreter per process"));
        Assert.That(runtime.Shutdown(), Is.True);
        var afterShutdown = Assert.Throws<PythonRuntimeException>(() => ChildPython.Initialize());
        Assert.That(afterShutdown!.Message, Does.Contain("cannot be started again after shutdown"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Shutdown_FinalizesPythonOnTheThreadThatInitializedIt_ThenRefusesScopes(PythonInstall install) => Isolated.Run(install, static () =>
    {
        string marker = Path.Combine(Directory.CreateTempSubdirectory("pychecks-atexit").FullName, "finalized.txt");
        var runtime = ChildPython.Initialize();
        using (runtime.AcquireGil())
        {
            using var module = PyObject.CreateModule("atexit_probe", $$"""
                import atexit, threading
                def on_exit():
                    with open({{Literal(marker)}}, "w") as f:
                        f.write("main" if threading.current_thread() is threading.main_thread() else "other")
                atexit.register(on_exit)
                """);
        }

        Assert.That(runtime.Shutdown(TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(File.ReadAllText(marker), Is.EqualTo("main"), "atexit handlers run in Py_FinalizeEx on the interpreter's own thread");
        Assert.That(runtime.IsRunning, Is.False);
        Assert.That(PythonRuntime.Current, Is.Null);
        var refused = Assert.Throws<PythonRuntimeException>(() =>
        {
            using var gil = runtime.AcquireGil();
        });
        Assert.That(refused!.Message, Does.Contain("shut down"));
        Assert.That(runtime.Shutdown(TimeSpan.FromSeconds(1)), Is.True, "a second shutdown reports the first one's outcome");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Shutdown_WhileAThreadHoldsAScope_GivesUpWithinTheTimeout(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var runtime = ChildPython.Initialize();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using var gil = runtime.AcquireGil();
            entered.Set();
            release.Wait();
        });
        holder.Start();
        entered.Wait();

        var clock = Stopwatch.StartNew();
        bool finalized = runtime.Shutdown(TimeSpan.FromMilliseconds(500));
        clock.Stop();
        release.Set();
        holder.Join();

        Assert.That(finalized, Is.False);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        var refused = Assert.Throws<PythonRuntimeException>(() =>
        {
            using var gil = runtime.AcquireGil();
        });
        Assert.That(refused!.Message, Does.Contain("shut down"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Shutdown_WhenAPythonThreadNeverEnds_ReturnsWithinTheTimeout(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var runtime = ChildPython.Initialize();
        using (runtime.AcquireGil())
        {
            // A non-daemon thread: Py_FinalizeEx joins it, forever.
            using var module = PyObject.CreateModule("stuck", """
                import threading, time
                threading.Thread(target=time.sleep, args=(3600,), daemon=False).start()
                """);
        }

        var clock = Stopwatch.StartNew();
        bool finalized = runtime.Shutdown(TimeSpan.FromSeconds(1));
        clock.Stop();
        Assert.That(finalized, Is.False);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)));
    });

    internal static string Literal(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    internal static Dictionary<string, string?> Env(string key, string? value) => new() { [key] = value };
}
