using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary><c>datadog_agent.get_config(key)</c> answers as the Agent does: its defaults, the host's overrides, dotted keys.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class AgentConfigBuiltinTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void GetConfig_AnswersTheAgentsDefaults_TheHostsOverrides_AndDottedKeys(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider()).SetMinimumLevel(LogLevel.Warning));
        var folder = new CheckFolder();
        using var host = folder.Start([], o =>
        {
            o.AgentConfig.Values["skip_ssl_validation"] = true;
            o.AgentConfig.Values["proxy"] = new Dictionary<string, object?> { ["https"] = "http://proxy:3128", ["no_proxy"] = new List<object?> { "localhost" } };
            o.AgentConfig.Values["dogstatsd_port"] = null;
        }, factory);
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("agentcfg", """
            import datadog_agent
            answers = {key: datadog_agent.get_config(key) for key in [
                'enable_metadata_collection', 'log_level', 'disable_unsafe_yaml', 'skip_ssl_validation', 'use_dogstatsd',
                'dogstatsd_port', 'histogram_percentiles', 'proxy', 'proxy.https', 'proxy.no_proxy', 'integration_tracing',
                'no_such_key', 'proxy.no_such_key']}
            """);
        using var answersObject = module.GetAttr("answers");
        var answers = (Dictionary<object, object?>)answersObject.ToClr()!;

        Assert.Multiple(() =>
        {
            Assert.That(answers["enable_metadata_collection"], Is.EqualTo(true));
            Assert.That(answers["log_level"], Is.EqualTo("warn"), "the level the host enables for checks");
            Assert.That(answers["disable_unsafe_yaml"], Is.EqualTo(true));
            Assert.That(answers["skip_ssl_validation"], Is.EqualTo(true));
            Assert.That(answers["use_dogstatsd"], Is.EqualTo(true));
            Assert.That(answers["dogstatsd_port"], Is.Null, "a key the host sets to null");
            Assert.That(answers["histogram_percentiles"], Is.EqualTo(new List<object?> { "0.95" }));
            Assert.That(answers["proxy"], Is.EqualTo(new Dictionary<object, object?> { ["https"] = "http://proxy:3128", ["no_proxy"] = new List<object?> { "localhost" } }));
            Assert.That(answers["proxy.https"], Is.EqualTo("http://proxy:3128"));
            Assert.That(answers["proxy.no_proxy"], Is.EqualTo(new List<object?> { "localhost" }));
            Assert.That(answers["integration_tracing"], Is.EqualTo(false));
            Assert.That(answers["no_such_key"], Is.Null);
            Assert.That(answers["proxy.no_such_key"], Is.Null);
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void GetConfig_DefaultConfiguration_MetadataReachesTheHost(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("meta", """
            from datadog_checks.base import AgentCheck

            class Meta(AgentCheck):
                def check(self, instance):
                    self.set_metadata('config.mode', 'fast')
            """).Config("meta", "instances: [{}]\n");
        using var host = folder.Start([]);
        var check = CheckFolder.LoadAll(host).Single();

        Assert.That(check.RunAsync().GetAwaiter().GetResult().Error, Is.Null);

        Assert.That(check.Metadata["config.mode"], Is.EqualTo("fast"), "is_metadata_collection_enabled() is true by default, as in the Agent");
    });
}
