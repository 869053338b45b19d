using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// The modules the Datadog Agent ships beside checks (<c>checks.*</c>, <c>utils.*</c>, <c>config</c>): checks written
/// against them run, with PyChecks' own implementations and with Datadog's real toolkit, and never hide a check's own module.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LegacyModuleTests
{
    // Every module, probed from inside a check: what each exports, and where it came from.
    private const string Probe = """
        import importlib, json, os, sys, tempfile, time
        from checks import AgentCheck

        def probe():
            found = {}
            for name in ('checks', 'checks.network_checks', 'config', 'utils.platform', 'utils.subprocess_output',
                         'utils.containers', 'utils.tailfile', 'utils.timeout', 'utils.py_mem', 'checks.prometheus_check',
                         'checks.libs.wmi.sampler', 'checks.winwmi_check'):
                try:
                    importlib.import_module(name)
                    found[name] = 'ok'
                except ImportError as e:
                    found[name] = '{}: {}'.format(type(e).__name__, e)
            from checks import CheckException
            from checks.network_checks import NetworkCheck
            from config import _is_affirmative, _get_py_loglevel
            from utils.containers import hash_mutable
            from utils.platform import Platform
            from utils.tailfile import TailFile
            from utils.timeout import TimeoutException, timeout
            from utils.py_mem import get_mem_stats
            found['origin'] = NetworkCheck.__module__
            found['same_agentcheck'] = issubclass(NetworkCheck, AgentCheck)
            found['check_exception'] = issubclass(CheckException, Exception)
            found['affirmative'] = [_is_affirmative(v) for v in ('yes', 'On', '0', 1, None)]
            found['loglevel'] = [_get_py_loglevel(v) for v in ('debug', 'WARN', 'trace', None)]
            found['hash'] = hash_mutable({'a': [1, 2], 'b': None}) == hash_mutable({'b': None, 'a': [2, 1]})
            found['platform'] = [Platform.is_linux(), Platform.is_unix(), Platform.is_windows(), Platform.is_darwin(),
                                 Platform.is_win32('win32'), Platform.is_freebsd('freebsd13')]

            @timeout(0.2)
            def slow():
                time.sleep(2)

            @timeout(2)
            def fast(x):
                return x * 2
            try:
                slow()
                found['timeout'] = 'no timeout'
            except TimeoutException:
                found['timeout'] = ['raised', fast(21)]

            lines = []
            with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
                f.write('old line\n')
            tail = TailFile(__import__('logging').getLogger('tail'), f.name, lines.append)
            reader = tail.tail(line_by_line=False, move_end=True)
            next(reader)
            with open(f.name, 'a') as out:
                out.write('first new\nsecond new\n')
            next(reader)
            os.replace(f.name, f.name + '.1')          # rotation: a new file at the same path
            with open(f.name, 'w') as out:
                out.write('after rotation\n')
            next(reader)
            tail.close()
            found['tail'] = lines
            stats = get_mem_stats()
            found['py_mem'] = stats['dict']['num'] > 0 and stats['dict']['sz'] > 0
            return found

        class Probe(AgentCheck):
            def check(self, instance):
                self.event({'msg_title': 'probe', 'msg_text': json.dumps(probe())})
        """;

    private static readonly string[] Modules =
    [
        "checks", "checks.network_checks", "config", "utils.platform", "utils.subprocess_output", "utils.containers",
        "utils.tailfile", "utils.timeout", "utils.py_mem",
    ];

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void WithoutTheToolkit_EveryModuleIsPyChecksOwn_AndBehavesLikeTheToolkits(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var found = RunProbe(toolkit: false);
        AssertBehaviour(found);
        Assert.Multiple(() =>
        {
            Assert.That(found["origin"]!.ToString(), Is.EqualTo("pychecks.legacy.network_checks"));
            Assert.That(found["checks.prometheus_check"]!.ToString(), Does.StartWith("ModuleNotFoundError: checks.prometheus_check needs Datadog's toolkit"));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void WithTheToolkit_EveryModuleReExportsIt(PythonInstall install)
    {
        RequireToolkitPython(install);
        Isolated.Run(install, static () =>
        {
            var found = RunProbe(toolkit: true);
            AssertBehaviour(found);
            Assert.Multiple(() =>
            {
                Assert.That(found["origin"]!.ToString(), Is.EqualTo("datadog_checks.base.checks.network"));
                Assert.That(found["checks.prometheus_check"]!.ToString(), Is.EqualTo("ok"));
            });
        });
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void LegacyChecks_SubprocessOutputAndNetworkCheck_RunWithoutTheToolkit(PythonInstall install) =>
        Isolated.Run(install, static () => RunLegacyChecks(toolkit: false));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LegacyChecks_SubprocessOutputAndNetworkCheck_RunOnTheToolkit(PythonInstall install)
    {
        RequireToolkitPython(install);
        Isolated.Run(install, static () => RunLegacyChecks(toolkit: true));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ACheckFoldersOwnUtilsConfigAndChecks_WinOverTheAgentsModules(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("utils", "def describe():\n    return 'own utils'\n")
            .Check("config", "THRESHOLD = 7\n")
            .Check("mine", """
                import config
                import utils
                from datadog_checks.base import AgentCheck

                class Mine(AgentCheck):
                    def check(self, instance):
                        self.gauge('mine.threshold', config.THRESHOLD, tags=['utils:' + utils.describe()])
                """)
            .Config("mine", "instances: [{}]\n")
            .Config("utils", "instances: [{}]\n");
        Directory.CreateDirectory(Path.Combine(folder.ChecksDirectory, "checks"));
        File.WriteAllText(Path.Combine(folder.ChecksDirectory, "checks", "__init__.py"), "OWN = True\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var report = host.LoadConfiguredChecks();
        var result = report.Checks.Single().RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(sender.Metrics.Single(), Has.Property("Value").EqualTo(7.0).And.Property("Tags").EqualTo(new[] { "utils:own utils" }));
        Assert.That(report.Errors.Single().Message, Does.Contain("utils: the module defines no subclass of AgentCheck"), "the check named utils is the folder's");

        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("which_checks", "import checks, sys\nown = getattr(checks, 'OWN', False)\nlast = sys.path[-1]\n");
        using var own = module.GetAttr("own");
        using var last = module.GetAttr("last");
        Assert.That(own.ToClr(), Is.EqualTo(true), "the folder's checks package wins over the Agent's");
        Assert.That(last.ToClr(), Is.EqualTo("<pychecks>/agent-dist"), "the Agent's modules come after every real folder");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AChecksNamedAfterALegacyModule_IsNotFound_WhenTheFolderHasNone(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Config("config", "instances: [{}]\n");
        using var host = folder.Start([]);
        Assert.That(host.LoadConfiguredChecks().Errors.Single().Message,
            Is.EqualTo("Could not load check 'config':\n[python] datadog_checks.config: no such module\nconfig: no such module"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ABrokenToolkit_IsReportedWithTheMissingModuleAndHowToInstallIt(PythonInstall install)
    {
        RequireToolkitPython(install);
        Isolated.Run(install, static () =>
        {
            // The toolkit and binary, but not pydantic: datadog_checks.base is there and cannot be imported.
            var folder = new CheckFolder()
                .Check("legacy", "from checks import AgentCheck\nclass L(AgentCheck):\n    def check(self, i):\n        pass\n")
                .Check("platformed", "from utils.platform import Platform\nfrom datadog_checks.checks import AgentCheck\nclass P(AgentCheck):\n    def check(self, i):\n        pass\n")
                .Check("direct", "from datadog_checks.base import AgentCheck\nclass D(AgentCheck):\n    def check(self, i):\n        pass\n")
                .Config("legacy", "instances: [{}]\n")
                .Config("platformed", "instances: [{}]\n")
                .Config("direct", "instances: [{}]\n");
            using var host = folder.Start([], o => o.Python.SearchPaths.Add(Toolkit.Base));
            var errors = host.LoadConfiguredChecks().Errors.OfType<CheckLoadException>().ToDictionary(e => e.CheckName, e => e.Message);
            Assert.That(errors.Keys, Is.EquivalentTo(new[] { "legacy", "platformed", "direct" }));
            foreach (var (name, message) in errors)
            {
                Assert.That(message, Does.Contain($"Datadog's datadog_checks.base is installed ({Toolkit.Base}/datadog_checks/base) but cannot be imported"), name);
                Assert.That(message, Does.Contain("python3.11 -m pip install"), name);
            }

            // binary comes first in the toolkit's imports, and no Debian package provides it: pip only.
            Assert.That(errors["legacy"], Does.Contain("it needs the module 'binary', which is not installed").And.Contain("pip install \"binary\"."));
            Assert.That(errors["legacy"], Does.Contain("ToolkitImportError"));
        });
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void AToolkitWithoutPydantic_SaysToInstallPydantic2(PythonInstall install)
    {
        RequireToolkitPython(install);
        Isolated.Run(install, static () =>
        {
            var folder = new CheckFolder()
                .Check("subproc", "from utils.subprocess_output import get_subprocess_output\nfrom checks import AgentCheck\nclass S(AgentCheck):\n    def check(self, i):\n        pass\n")
                .Config("subproc", "instances: [{}]\n");
            using var host = folder.Start([], o =>
            {
                o.Python.SearchPaths.Add(Toolkit.Base);
                o.Python.SearchPaths.Add(Toolkit.Binary);
            });
            string message = host.LoadConfiguredChecks().Errors.Single().Message;
            Assert.That(message, Does.Contain("it needs the module 'pydantic', which is not installed").And.Contain("pip install \"pydantic>=2\""));
        });
    }

    private static Dictionary<string, object?> RunProbe(bool toolkit)
    {
        var folder = new CheckFolder().Check("probe", Probe).Config("probe", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => Toolkit.Configure(o, toolkit));
        var result = CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        using var gil = host.Runtime.AcquireGil();
        using var json = PyObject.Import("json");
        using var text = PyObject.From(sender.Events.Single().Text);
        using var parsed = json.CallMethod("loads", text);
        return ((Dictionary<object, object?>)parsed.ToClr()!).ToDictionary(p => (string)p.Key, p => p.Value);
    }

    private static void AssertBehaviour(Dictionary<string, object?> found)
    {
        Assert.Multiple(() =>
        {
            foreach (string module in Modules)
            {
                Assert.That(found[module], Is.EqualTo("ok"), module);
            }

            Assert.That(found["checks.libs.wmi.sampler"]!.ToString(), Does.StartWith("ModuleNotFoundError: No module named 'win32pdh'"));
            Assert.That(found["checks.winwmi_check"]!.ToString(), Does.StartWith("ModuleNotFoundError: No module named 'win32pdh'"));
            Assert.That(found["same_agentcheck"], Is.EqualTo(true), "NetworkCheck derives from the AgentCheck checks exports");
            Assert.That(found["check_exception"], Is.EqualTo(true));
            Assert.That(found["affirmative"], Is.EqualTo(new object[] { true, true, false, true, false }));
            Assert.That(found["loglevel"], Is.EqualTo(new object[] { 10L, 30L, 7L, 20L }));
            Assert.That(found["hash"], Is.EqualTo(true));
            Assert.That(found["platform"], Is.EqualTo(new object[] { true, true, false, false, true, true }));
            Assert.That(found["timeout"], Is.EqualTo(new object[] { "raised", 42L }));
            Assert.That(found["tail"], Is.EqualTo(new object[] { "first new", "second new", "after rotation" }));
            Assert.That(found["py_mem"], Is.EqualTo(true));
        });
    }

    private static void RunLegacyChecks(bool toolkit)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int open = ((IPEndPoint)listener.LocalEndpoint).Port;
        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string disk = Path.GetTempPath();
        var folder = new CheckFolder()
            .Check("port_check", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Checks", "LegacyModules", "port_check.py")))
            .Check("disk_usage", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Checks", "LegacyModules", "disk_usage.py")))
            .Config("port_check", $"instances:\n  - port: {open}\n  - port: {closed}\n    collect_response_time: false\n")
            .Config("disk_usage", $"instances:\n  - path: {disk}\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => Toolkit.Configure(o, toolkit));
        foreach (var check in CheckFolder.LoadAll(host))
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, check.Id + ": " + result.Error + result.Traceback);
        }

        var expectedDf = ReadDf(disk);
        Assert.Multiple(() =>
        {
            var services = sender.ServiceChecks.Where(s => s.Name == "tcp.can_connect").ToDictionary(s => s.Tags.Single());
            Assert.That(services[$"port:{open}"].Status, Is.EqualTo(ServiceCheckStatus.Ok));
            Assert.That(services[$"port:{closed}"].Status, Is.EqualTo(ServiceCheckStatus.Critical));
            Assert.That(services[$"port:{closed}"].Message, Does.StartWith($"connection to 127.0.0.1:{closed} failed:").And.Contain("refused"));
            Assert.That(sender.Metrics.Where(m => m.Name == "network.tcp.response_time").Select(m => m.Tags.Single()), Is.EqualTo(new[] { $"port:{open}" }));

            var metrics = sender.Metrics.Where(m => m.Name.StartsWith("custom.", StringComparison.Ordinal)).ToDictionary(m => m.Name);
            Assert.That(metrics["custom.disk.total_kb"].Value, Is.EqualTo(expectedDf.Total), "df's real output, parsed by the check");
            Assert.That(metrics["custom.disk.total_kb"].Tags, Is.EqualTo(new[] { "mount:" + expectedDf.Mount }));
            Assert.That(metrics["custom.disk.subprocess_types"].Tags, Is.EqualTo(new[] { "out:str", "err:str" }));
            Assert.That(metrics["custom.shell.retcode"].Value, Is.EqualTo(2.0), "ls' exit code for a missing path");
            Assert.That(metrics["custom.env.echoed"].Tags, Is.EqualTo(new[] { "value:from-env" }));
            Assert.That(metrics["custom.empty.raised"].Value, Is.EqualTo(1.0), "empty output raises SubprocessOutputEmptyError");
        });
    }

    private static (double Total, string Mount) ReadDf(string path)
    {
        using var df = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("df", ["-P", "-k", path]) { RedirectStandardOutput = true })!;
        string[] fields = df.StandardOutput.ReadToEnd().Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        df.WaitForExit();
        return (double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), fields[5]);
    }

    /// <summary>The toolkit runs on Debian's Python 3.11, whose packages provide its dependencies.</summary>
    private static void RequireToolkitPython(PythonInstall install)
    {
        install.RequirePresent();
        if (!install.Label.EndsWith("Debian", StringComparison.Ordinal))
        {
            Assert.Ignore($"Datadog's toolkit needs Debian's python3-* packages, which only Debian's Python 3.11 has; {install.Label} is not it.");
        }

        if (Toolkit.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }
    }

    /// <summary>Datadog's toolkit from the machine's shared folder, and pydantic 2 taken alone.</summary>
    private static class Toolkit
    {
        public static string Base => DatadogSources.BasePath;

        public static string Binary => DatadogSources.BinaryPath;

        public static string? Missing() => DatadogSources.ToolkitMissing();

        /// <summary>Puts the toolkit, binary and pydantic 2 (only those packages, linked into a folder of their own) on the check's path.</summary>
        public static void Configure(PyChecksOptions options, bool toolkit)
        {
            if (!toolkit)
            {
                return;
            }

            foreach (string path in DatadogSources.ToolkitSearchPaths())
            {
                options.Python.SearchPaths.Add(path);
            }
        }
    }
}
