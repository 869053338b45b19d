using System.Text.Json;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Runtime;

/// <summary>
/// Python starts as its python executable starts: from a real venv (made by <c>python -m venv</c>) CPython reads
/// <c>pyvenv.cfg</c> itself, so prefixes, <c>sys.executable</c> and <c>sys.path</c> are exactly those of the venv's
/// own <c>bin/python3</c>. The parent asks that python for the facts; the child, which embeds the library, must
/// see the same.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class VirtualEnvironmentTests
{
    /// <summary>What a scenario compares; printed by a python and computed embedded alike.</summary>
    private const string FactsSource = """
        import importlib.util, json, os, sys

        def origin(name):
            spec = importlib.util.find_spec(name) if name else None
            return spec.origin if spec else None

        FACTS = json.dumps({
            'prefix': sys.prefix,
            'base_prefix': sys.base_prefix,
            'executable': sys.executable,
            'path': [p for p in sys.path if p],
            'module': origin(os.environ.get('PYCHECKS_TEST_MODULE')),
        })
        """;

    private const string ExpectedVariable = "PYCHECKS_TEST_EXPECTED";
    private const string ModuleVariable = "PYCHECKS_TEST_MODULE";
    private const string VenvVariable = "PYCHECKS_TEST_VENV";
    private const string BaseSitePackagesVariable = "PYCHECKS_TEST_BASE_SITE_PACKAGES";

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void VenvFromVirtualEnv_StartsAsItsOwnPython_AndHidesTheBasesSitePackages(PythonInstall install)
    {
        var venv = TestVenv.Create(install, systemSitePackages: false);
        var environment = Environment(venv, BaseOnlyModule(install));
        environment["VIRTUAL_ENV"] = venv.Root;
        Isolated.Run(install, static () =>
        {
            using var runtime = PythonRuntime.Initialize();
            Assert.That(runtime.Location.Source, Is.EqualTo($"VIRTUAL_ENV ({Variable(VenvVariable)}/bin/python3)"));
            AssertStartedAsTheVenvsPython(runtime, systemSitePackages: false);
        }, environment);
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void VenvPythonNamedExplicitly_StartsAsItsOwnPython_AndHidesTheBasesSitePackages(PythonInstall install)
    {
        var venv = TestVenv.Create(install, systemSitePackages: false);
        var environment = Environment(venv, BaseOnlyModule(install));
        Isolated.Run(install, static () =>
        {
            string python = Path.Combine(Variable(VenvVariable), "bin", "python3");
            using var runtime = PythonRuntime.Initialize(new PythonRuntimeOptions { Python = python });
            Assert.That(runtime.Location.Source, Is.EqualTo($"option PythonRuntimeOptions.Python ({python})"));
            AssertStartedAsTheVenvsPython(runtime, systemSitePackages: false);
        }, environment);
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void VenvWithSystemSitePackages_TheBasesComeAfterTheVenvs(PythonInstall install)
    {
        var venv = TestVenv.Create(install, systemSitePackages: true);
        var environment = Environment(venv, BaseOnlyModule(install));
        environment["VIRTUAL_ENV"] = venv.Root;
        Isolated.Run(install, static () =>
        {
            using var runtime = PythonRuntime.Initialize();
            AssertStartedAsTheVenvsPython(runtime, systemSitePackages: true);
        }, environment);
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void VenvWithSystemSitePackages_AModuleInTheVenvWinsOverTheBasesOfTheSameName(PythonInstall install)
    {
        var venv = TestVenv.Create(install, systemSitePackages: true);
        string module = BaseOnlyModule(install);
        File.WriteAllText(Path.Combine(venv.SitePackages, module + ".py"), "WHERE = 'venv'\n");
        var environment = Environment(venv, module);
        environment["VIRTUAL_ENV"] = venv.Root;
        Isolated.Run(install, static () =>
        {
            using var runtime = PythonRuntime.Initialize();
            using var gil = runtime.AcquireGil();
            using var imported = PyObject.Import(Variable(ModuleVariable));
            using var where = imported.GetAttr("WHERE");
            Assert.That(where.As<string>(), Is.EqualTo("venv"));
            using var file = imported.GetAttr("__file__");
            Assert.That(file.As<string>(), Does.StartWith(Variable(VenvVariable) + "/"));
        }, environment);
    }

    [Test]
    public void DebianVenvWithSystemSitePackages_ImportsTheDebianPackagesTheToolkitNeeds()
    {
        var install = PythonInstall.All.Single(i => i.Label == "3.11 Debian");
        var venv = TestVenv.Create(install, systemSitePackages: true);
        var environment = Environment(venv, module: null);
        environment["VIRTUAL_ENV"] = venv.Root;
        Isolated.Run(install, static () =>
        {
            using var runtime = PythonRuntime.Initialize();
            using var gil = runtime.AcquireGil();
            foreach (string name in new[] { "yaml", "requests", "psutil" })
            {
                using var imported = PyObject.Import(name);
                using var file = imported.GetAttr("__file__");
                Assert.That(file.As<string>(), Does.StartWith("/usr/lib/python3/dist-packages/"), name);
            }

            using var sys = PyObject.Import("sys");
            using var prefix = sys.GetAttr("prefix");
            Assert.That(prefix.As<string>(), Is.EqualTo(Variable(VenvVariable)));
        }, environment);
    }

    /// <summary>The child's side: the embedded interpreter is the venv's python, fact for fact, SIGINT left to the host.</summary>
    private static void AssertStartedAsTheVenvsPython(PythonRuntime runtime, bool systemSitePackages)
    {
        string venv = Variable(VenvVariable);
        string baseSitePackages = Variable(BaseSitePackagesVariable);
        using var expectedDocument = JsonDocument.Parse(Variable(ExpectedVariable));
        var expected = expectedDocument.RootElement;
        Assert.That(runtime.Location.Executable, Is.EqualTo(Path.Combine(venv, "bin", "python3")));

        using var gil = runtime.AcquireGil();
        using var module = PyObject.CreateModule("venv_facts", FactsSource + "\nimport signal\nPYTHON_OWNS_SIGINT = signal.getsignal(signal.SIGINT) is signal.default_int_handler\n");
        using var factsObject = module.GetAttr("FACTS");
        using var factsDocument = JsonDocument.Parse(factsObject.As<string>());
        var facts = factsDocument.RootElement;
        string[] path = facts.GetProperty("path").EnumerateArray().Select(e => e.GetString()!).ToArray();
        string sitePackages = path.Single(p => p.StartsWith(venv + "/", StringComparison.Ordinal) && p.EndsWith("site-packages", StringComparison.Ordinal));
        using var ownsSigint = module.GetAttr("PYTHON_OWNS_SIGINT");
        Assert.Multiple(() =>
        {
            Assert.That(facts.GetProperty("prefix").GetString(), Is.EqualTo(venv));
            Assert.That(facts.GetProperty("base_prefix").GetString(), Is.EqualTo(expected.GetProperty("base_prefix").GetString()));
            Assert.That(facts.GetProperty("base_prefix").GetString(), Is.Not.EqualTo(venv));
            Assert.That(facts.GetProperty("executable").GetString(), Is.EqualTo(Path.Combine(venv, "bin", "python3")));
            Assert.That(path, Is.EqualTo(expected.GetProperty("path").EnumerateArray().Select(e => e.GetString()).ToArray()), "sys.path is the venv python's own");
            if (systemSitePackages)
            {
                Assert.That(Array.IndexOf(path, baseSitePackages), Is.GreaterThan(Array.IndexOf(path, sitePackages)), "the base's site-packages come after the venv's");
                Assert.That(facts.GetProperty("module").GetString(), Does.StartWith(baseSitePackages + "/"), "a module of the base's site-packages imports");
            }
            else
            {
                Assert.That(path, Does.Not.Contain(baseSitePackages));
                Assert.That(facts.GetProperty("module").ValueKind, Is.EqualTo(JsonValueKind.Null), "a module only in the base's site-packages does not import");
            }

            Assert.That(ownsSigint.As<bool>(), Is.False, "Python installed no SIGINT handler");
        });
    }

    /// <summary>The child's environment: no other Python named, the venv and the base module told, and the venv python's own facts.</summary>
    private static Dictionary<string, string?> Environment(TestVenv venv, string? module)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PYCHECKS_PYTHON"] = null,
            ["PYTHONNET_PYDLL"] = null,
            ["VIRTUAL_ENV"] = null,
            ["PYTHONPATH"] = null,
            ["PYTHONHOME"] = null,
            [ModuleVariable] = module,
            [VenvVariable] = venv.Root,
        };
        environment[ExpectedVariable] = TestVenv.Ask(venv.Python, FactsSource + "\nprint(FACTS)", environment);
        environment[BaseSitePackagesVariable] = BaseSitePackages(venv.Base);
        return environment;
    }

    /// <summary>A module that the base interpreter imports from its own site-packages; pyenv's come with pip, Debian's with PyYAML.</summary>
    private static string BaseOnlyModule(PythonInstall install)
    {
        string found = TestVenv.Ask(install.Executable!, """
            import importlib.util, site
            folders = tuple(f + '/' for f in site.getsitepackages())
            print(next((n for n in ('pydantic', 'yaml', 'requests', 'pip') if (s := importlib.util.find_spec(n)) and s.origin and s.origin.startswith(folders)), ''))
            """, new Dictionary<string, string?> { ["PYTHONPATH"] = null });
        if (found.Length == 0)
        {
            Assert.Ignore($"{install.Executable} has none of pydantic, yaml, requests, pip in its site-packages to prove that they are hidden.");
        }

        return found;
    }

    /// <summary>The folder of the base's site-packages that holds its packages (Debian's dist-packages, pyenv's site-packages).</summary>
    private static string BaseSitePackages(PythonInstall install) => TestVenv.Ask(install.Executable!, """
        import importlib.util, site
        folders = site.getsitepackages()
        print(next(f for f in folders if any((s := importlib.util.find_spec(n)) and s.origin and s.origin.startswith(f + '/') for n in ('pydantic', 'yaml', 'requests', 'pip'))))
        """, new Dictionary<string, string?> { ["PYTHONPATH"] = null });

    private static string Variable(string name) => System.Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} is not set: this code runs only in a scenario child process.");
}
