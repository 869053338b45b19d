using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>Loading checks: module resolution, class choice, versions, and errors that name the check and the cause.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckLoadingTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void BrokenChecks_EachReportWhy_AndTheOthersStillLoadAndRun(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("good", """
                from datadog_checks.base import AgentCheck
                class Good(AgentCheck):
                    def check(self, instance):
                        self.gauge('good.value', 1)
                """)
            .Check("syntax", "from datadog_checks.base import AgentCheck\nclass Broken(AgentCheck:\n    pass\n")
            .Check("raising", "raise RuntimeError('cannot start: missing credentials')\n")
            .Check("classless", "VALUE = 1\n")
            .Config("good", "instances: [{}]\n")
            .Config("syntax", "instances: [{}]\n")
            .Config("raising", "instances: [{}]\n")
            .Config("classless", "instances: [{}]\n")
            .Config("missing", "instances: [{}]\n")
            .Config("badyaml", "instances:\n  - a: [1, 2\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var report = host.LoadConfiguredChecks();

        var good = report.Checks.Single();
        Assert.That(good.Name, Is.EqualTo("good"));
        Assert.That(good.RunAsync().GetAwaiter().GetResult().Succeeded, Is.True);
        Assert.That(sender.Metrics.Single().Name, Is.EqualTo("good.value"));

        var loadErrors = report.Errors.OfType<CheckLoadException>().ToDictionary(e => e.CheckName, e => e.Message);
        Assert.That(loadErrors.Keys, Is.EquivalentTo(new[] { "syntax", "raising", "classless", "missing" }));
        Assert.Multiple(() =>
        {
            Assert.That(loadErrors["missing"], Is.EqualTo(
                "Could not load check 'missing':\n[python] datadog_checks.missing: no such module\nmissing: no such module"));
            Assert.That(loadErrors["syntax"], Does.StartWith("Could not load check 'syntax':\n[python] datadog_checks.syntax: no such module\nsyntax: import failed:"));
            Assert.That(loadErrors["syntax"], Does.Contain("SyntaxError").And.Contain("syntax.py"));
            Assert.That(loadErrors["raising"], Does.Contain("Traceback (most recent call last):").And.Contain("RuntimeError: cannot start: missing credentials"));
            Assert.That(loadErrors["classless"], Does.Contain("classless: the module defines no subclass of AgentCheck"));
        });
        var configError = report.Errors.OfType<CheckConfigurationException>().Single();
        Assert.That(configError.Message, Does.Contain("badyaml.yaml"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TheLeafSubclassIsChosen_AndImportWarningsBecomeLoadWarnings(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("layered", """
                import warnings
                from datadog_checks.base import AgentCheck
                warnings.warn('the old API is going away', DeprecationWarning)

                class Base(AgentCheck):
                    def check(self, instance):
                        self.gauge('which', 0)

                class Leaf(Base):
                    def check(self, instance):
                        self.gauge('which', 1)
                """)
            .Config("layered", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.Version, Is.EqualTo("unversioned"));
        Assert.That(check.LoadWarnings, Has.Count.EqualTo(1));
        Assert.That(check.LoadWarnings[0], Does.Contain("layered.py").And.Contain("DeprecationWarning: the old API is going away"));
        check.RunAsync().GetAwaiter().GetResult();
        Assert.That(sender.Metrics.Single().Value, Is.EqualTo(1.0), "the leaf class runs");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void LegacyCheck_FromChecksImportAgentCheck_WithAgentConfigConstructor_Runs(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("legacy", """
                from checks import AgentCheck
                class Legacy(AgentCheck):
                    def __init__(self, name, init_config, agentConfig, instances=None):
                        AgentCheck.__init__(self, name, init_config, agentConfig, instances)
                        self.prefix = init_config.get('prefix', 'x')
                    def check(self, instance):
                        self.gauge(self.prefix + '.up', instance['value'])
                """)
            .Config("legacy", "init_config:\n  prefix: old\ninstances:\n  - value: 5\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var result = CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(sender.Metrics.Single(), Has.Property("Name").EqualTo("old.up").And.Property("Value").EqualTo(5.0));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ImportAliasesOff_DatadogImportsFail(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("aliased", "from datadog_checks.base import AgentCheck\nclass A(AgentCheck):\n    def check(self, i):\n        pass\n")
            .Config("aliased", "instances: [{}]\n");
        using var host = folder.Start([], o => o.DatadogImportAliases = false);
        var error = host.LoadConfiguredChecks().Errors.OfType<CheckLoadException>().Single();
        Assert.That(error.Message, Does.Contain("No module named 'datadog_checks'"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ChecksRegisteredInCode_LoadNextToConfD_WithStableIds(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("coded", """
            from datadog_checks.base import AgentCheck
            class Coded(AgentCheck):
                def check(self, instance):
                    self.gauge('coded.port', instance['port'], tags=['from:' + self.init_config['origin']])
            """);
        var sender = new InMemorySender();
        var config = new CheckConfig
        {
            Name = "coded",
            InitConfig = new Dictionary<string, object?> { ["origin"] = "code" },
            Instances = [new Dictionary<string, object?> { ["port"] = 8080L, ["name"] = "web" }],
        };
        using var host = folder.Start([sender], o => o.Checks.Add(config));
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.Id, Does.Match("^coded:web:[0-9a-f]{16}$"));
        check.RunAsync().GetAwaiter().GetResult();
        Assert.That(sender.Metrics.Single(), Has.Property("Value").EqualTo(8080.0).And.Property("Tags").EqualTo(new[] { "from:code" }));

        var again = host.Load(PyChecks.Checks.Configuration.CheckConfigReader.Resolve(config).Single());
        Assert.That(again.Id, Is.EqualTo(check.Id), "the same configuration gives the same id");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LoadConfiguredChecks_OfOneName_ImportsOnlyThatCheck(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("wanted", """
            from datadog_checks.base import AgentCheck

            class WantedCheck(AgentCheck):
                def check(self, instance):
                    pass
            """).Check("other", """
            raise RuntimeError('other was imported')
            """).Config("wanted", "instances: [{a: 1}, {a: 2}]").Config("other", "instances: [{}]");
        using var host = folder.Start([]);

        var report = host.LoadConfiguredChecks("wanted");

        Assert.That(report.Errors, Is.Empty, "the broken 'other' check was not loaded, so it failed nowhere");
        Assert.That(report.Checks.Select(c => c.Name), Is.EqualTo(new[] { "wanted", "wanted" }));
        Assert.That(host.LoadConfiguredChecks("absent").Checks, Is.Empty);
        foreach (var check in report.Checks)
        {
            check.Dispose();
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ACheckThatFailsToImport_IsReportedFromItsOwnCode_WithoutTheImportMachinery(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("typo", """
            from datadog_checks.base import AgentCheck

            class Typo(AgentCheck):
                def check(self, instance)
                    pass
            """).Check("needs", """
            from datadog_checks.base import AgentCheck
            import no_such_dependency
            """).Config("typo", "instances: [{}]").Config("needs", "instances: [{}]");
        using var host = folder.Start([]);

        var errors = host.LoadConfiguredChecks().Errors.Select(e => e.Message).ToList();
        string typo = errors.Single(e => e.Contains("'typo'", StringComparison.Ordinal));
        string needs = errors.Single(e => e.Contains("'needs'", StringComparison.Ordinal));

        Assert.That(typo, Does.Contain($"File \"{Path.Combine(folder.ChecksDirectory, "typo.py")}\", line 4"));
        Assert.That(typo, Does.Contain("SyntaxError"));
        Assert.That(needs, Does.Contain("line 2, in <module>").And.Contain("ModuleNotFoundError: No module named 'no_such_dependency'"));
        foreach (string message in new[] { typo, needs })
        {
            Assert.That(message, Does.Not.Contain("importlib").And.Not.Contain("_host.py"), message);
        }
    });
}
