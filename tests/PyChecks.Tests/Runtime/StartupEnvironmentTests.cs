using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Runtime;

/// <summary>
/// How the environment reaches the embedded interpreter: a library is started as its own install's python,
/// <c>PYTHONPATH</c>, <c>PYTHONHOME</c> and the user site apply as they do to that python, and
/// <see cref="PythonRuntimeOptions.Isolated"/> turns them off as <c>python -I</c> does.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class StartupEnvironmentTests
{
    private const string ExpectedExecutableVariable = "PYCHECKS_TEST_EXPECTED_EXECUTABLE";
    private const string ExpectedPrefixVariable = "PYCHECKS_TEST_EXPECTED_PREFIX";
    private const string SearchPathVariable = "PYCHECKS_TEST_SEARCH_PATH";
    private const string IsolatedVariable = "PYCHECKS_TEST_ISOLATED";

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void LibraryGivenByPath_IsStartedAsThePythonOfItsInstall(PythonInstall install)
    {
        install.RequireExecutable();
        string[] expected = TestVenv.Ask(install.Executable!, """
            import os, sys, sysconfig
            print(os.path.join(sysconfig.get_config_var('BINDIR'), 'python%d.%d' % sys.version_info[:2]))
            print(sys.prefix)
            """, new Dictionary<string, string?> { ["PYTHONPATH"] = null, ["PYTHONHOME"] = null }).Split('\n');
        Isolated.Run(install, static () =>
        {
            using var runtime = ChildPython.Initialize();
            string executable = Variable(ExpectedExecutableVariable);
            Assert.That(runtime.Location.Executable, Is.EqualTo(executable));
            Assert.That(runtime.Location.Candidates[^1].Reason, Is.EqualTo($"loaded, started as {executable}"));
            using var gil = runtime.AcquireGil();
            using var sys = PyObject.Import("sys");
            using var sysExecutable = sys.GetAttr("executable");
            using var prefix = sys.GetAttr("prefix");
            using var basePrefix = sys.GetAttr("base_prefix");
            Assert.That(sysExecutable.As<string>(), Is.EqualTo(executable), "checks that start a python subprocess get this one");
            Assert.That(prefix.As<string>(), Is.EqualTo(Variable(ExpectedPrefixVariable)));
            Assert.That(basePrefix.As<string>(), Is.EqualTo(Variable(ExpectedPrefixVariable)));
        }, new Dictionary<string, string?>
        {
            [ExpectedExecutableVariable] = expected[0],
            [ExpectedPrefixVariable] = expected[1],
            ["PYTHONPATH"] = null,
            ["PYTHONHOME"] = null,
        });
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonPathAndUserSite_ApplyByDefault_AfterTheSearchPaths(PythonInstall install) =>
        Isolated.Run(install, PathScenario, PathEnvironment(install, isolated: false));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonPathAndUserSite_AreIgnoredWhenIsolated_TheSearchPathsStillFirst(PythonInstall install) =>
        Isolated.Run(install, PathScenario, PathEnvironment(install, isolated: true));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void BadPythonHome_FailsTheStartWithCPythonsMessage_AndAnIsolatedStartIgnoresIt(PythonInstall install)
    {
        var environment = new Dictionary<string, string?> { ["PYTHONHOME"] = "/nonexistent/python-home", ["PYTHONPATH"] = null };
        Isolated.Run(install, static () =>
        {
            var error = Assert.Throws<PythonRuntimeException>(() => ChildPython.Initialize())!;
            Assert.That(error.Message, Does.StartWith($"CPython '{ChildPython.Library}' failed to start as "));
            Assert.That(error.Message, Does.Contain("init_fs_encoding: failed to get the Python codec of the filesystem encoding").Or.Contain("Failed to import encodings module"), "CPython's own reason (3.13 words it differently)");
            Assert.That(error.Message, Does.Contain("PYTHONHOME is set and may point it at another Python's standard library"));
            Assert.That(error.Message, Does.Contain("PythonRuntimeOptions.Isolated"));
            Assert.That(PythonRuntime.Current, Is.Null);
        }, environment);

        Isolated.Run(install, static () =>
        {
            using var runtime = ChildPython.Initialize(o => o.Isolated = true);
            using var gil = runtime.AcquireGil();
            using var sys = PyObject.Import("sys");
            using var prefix = sys.GetAttr("prefix");
            Assert.That(prefix.As<string>(), Does.Not.Contain("nonexistent"));
        }, environment);
    }

    /// <summary>The child's side: a search path, a <c>PYTHONPATH</c> folder and a user site, each with a module of its own.</summary>
    private static void PathScenario()
    {
        bool isolated = Variable(IsolatedVariable) == "1";
        string searchPath = Variable(SearchPathVariable);
        using var runtime = ChildPython.Initialize(o =>
        {
            o.SearchPaths.Add(searchPath);
            o.Isolated = isolated;
        });
        using var gil = runtime.AcquireGil();
        using var module = PyObject.CreateModule("path_facts", """
            import importlib.util, os, sys
            PATH = list(sys.path)
            FROM_PYTHONPATH = importlib.util.find_spec('marker_from_pythonpath') is not None
            FROM_USER_SITE = importlib.util.find_spec('marker_from_user_site') is not None
            FROM_SEARCH_PATH = importlib.util.find_spec('marker_from_search_path') is not None
            """);
        bool Flag(string name)
        {
            using var value = module.GetAttr(name);
            return value.As<bool>();
        }

        using var pathObject = module.GetAttr("PATH");
        string[] path = pathObject.ToClr() is List<object?> list ? list.Cast<string>().ToArray() : [];
        string pythonPath = Variable("PYTHONPATH");
        Assert.Multiple(() =>
        {
            Assert.That(path[0], Is.EqualTo(searchPath), "SearchPaths come first");
            Assert.That(Flag("FROM_SEARCH_PATH"), Is.True);
            if (isolated)
            {
                Assert.That(path, Does.Not.Contain(pythonPath));
                Assert.That(Flag("FROM_PYTHONPATH"), Is.False, "PYTHONPATH is ignored");
                Assert.That(Flag("FROM_USER_SITE"), Is.False, "the user site is not on sys.path");
            }
            else
            {
                Assert.That(path[1], Is.EqualTo(pythonPath), "PYTHONPATH comes next, as for python");
                Assert.That(Flag("FROM_PYTHONPATH"), Is.True);
                Assert.That(Flag("FROM_USER_SITE"), Is.True, "the user site is on sys.path, as for python outside a venv");
            }
        });
    }

    /// <summary>Temporary folders: a search path, a PYTHONPATH folder and a HOME whose user site holds a module.</summary>
    private static Dictionary<string, string?> PathEnvironment(PythonInstall install, bool isolated)
    {
        string root = Directory.CreateTempSubdirectory("pychecks-paths").FullName;
        string searchPath = Directory.CreateDirectory(Path.Combine(root, "search")).FullName;
        string pythonPath = Directory.CreateDirectory(Path.Combine(root, "pythonpath")).FullName;
        string userSite = Directory.CreateDirectory(Path.Combine(root, "home", ".local", "lib", $"python{install.Version}", "site-packages")).FullName;
        File.WriteAllText(Path.Combine(searchPath, "marker_from_search_path.py"), string.Empty);
        File.WriteAllText(Path.Combine(pythonPath, "marker_from_pythonpath.py"), string.Empty);
        File.WriteAllText(Path.Combine(userSite, "marker_from_user_site.py"), string.Empty);
        return new Dictionary<string, string?>
        {
            [SearchPathVariable] = searchPath,
            [IsolatedVariable] = isolated ? "1" : "0",
            ["PYTHONPATH"] = pythonPath,
            ["HOME"] = Path.Combine(root, "home"),
            ["PYTHONUSERBASE"] = null,
            ["PYTHONNOUSERSITE"] = null,
            ["PYTHONHOME"] = null,
        };
    }

    private static string Variable(string name) => Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} is not set: this code runs only in a scenario child process.");
}
