using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using PyChecks.Checks;
using PyChecks.DependencyInjection;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>The Agent configuration checks read through <c>get_config</c>: the Agent's defaults, overrides, files and binding.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class AgentConfigTests
{
    [Test]
    public void Get_Unset_AnswersTheAgentsDefaults()
    {
        var config = new AgentConfig();

        Assert.Multiple(() =>
        {
            Assert.That(config.Get("enable_metadata_collection"), Is.EqualTo(true));
            Assert.That(config.Get("log_level"), Is.EqualTo("info"));
            Assert.That(config.Get("disable_unsafe_yaml"), Is.EqualTo(true));
            Assert.That(config.Get("skip_ssl_validation"), Is.EqualTo(false));
            Assert.That(config.Get("use_dogstatsd"), Is.EqualTo(true));
            Assert.That(config.Get("dogstatsd_port"), Is.EqualTo(8125L));
            Assert.That(config.Get("histogram_aggregates"), Is.EqualTo(new[] { "max", "median", "avg", "count" }));
            Assert.That(config.Get("histogram_percentiles"), Is.EqualTo(new[] { "0.95" }));
            Assert.That(config.Get("integration_tracing"), Is.EqualTo(false));
            Assert.That(config.Get("procfs_path"), Is.EqualTo("/proc"));
            Assert.That(config.Get("proxy.http"), Is.EqualTo(string.Empty));
            Assert.That(config.Get("proxy.no_proxy"), Is.EqualTo(new[] { "169.254.169.254", "100.100.100.200" }));
            Assert.That(config.Get("no_such_key"), Is.Null);
        });
    }

    [Test]
    public void Get_SetValue_OverridesTheDefault_AndDottedKeysReachIntoIt()
    {
        var config = new AgentConfig();
        config.Values["enable_metadata_collection"] = false;
        config.Values["proxy"] = new Dictionary<string, object?> { ["https"] = "http://proxy:3128" };
        config.Values["dogstatsd_port"] = null;

        Assert.Multiple(() =>
        {
            Assert.That(config.Get("enable_metadata_collection"), Is.EqualTo(false));
            Assert.That(config.Get("proxy.https"), Is.EqualTo("http://proxy:3128"));
            Assert.That(config.Get("proxy.http"), Is.EqualTo(string.Empty), "a key the set mapping lacks falls back to the default's");
            Assert.That(config.Get("dogstatsd_port"), Is.Null, "a key set to null answers None");
        });
    }

    [Test]
    public void AddYamlFile_DatadogYaml_SetsEveryTopLevelKeyTyped()
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("datadog.yaml", """
            # as the Agent's datadog.yaml
            api_key: 0123456789abcdef
            log_level: debug
            enable_metadata_collection: false
            dogstatsd_port: 8126
            proxy:
              http: http://proxy.internal:3128
              https: http://proxy.internal:3129
              no_proxy:
                - localhost
                - 127.0.0.1
            tags:
              - env:test
            """);
        var config = new AgentConfig();

        config.AddYamlFile(path);

        Assert.Multiple(() =>
        {
            Assert.That(config.Get("log_level"), Is.EqualTo("debug"));
            Assert.That(config.Get("enable_metadata_collection"), Is.EqualTo(false));
            Assert.That(config.Get("dogstatsd_port"), Is.EqualTo(8126L));
            Assert.That(config.Get("proxy"), Is.EqualTo(new Dictionary<string, object?>
            {
                ["http"] = "http://proxy.internal:3128",
                ["https"] = "http://proxy.internal:3129",
                ["no_proxy"] = new List<object?> { "localhost", "127.0.0.1" },
            }));
            Assert.That(config.Get("proxy.https"), Is.EqualTo("http://proxy.internal:3129"));
            Assert.That(config.Get("tags"), Is.EqualTo(new[] { "env:test" }));
            Assert.That(config.Get("api_key"), Is.EqualTo("0123456789abcdef"));
            Assert.That(config.Get("use_dogstatsd"), Is.EqualTo(true), "keys the file leaves out keep their defaults");
        });
    }

    [Test]
    public void AddYamlFile_EmptyFile_ChangesNothing()
    {
        using var conf = new ConfDirectory();
        var config = new AgentConfig();

        config.AddYamlFile(conf.Write("datadog.yaml", "# nothing set\n"));

        Assert.That(config.Values, Is.Empty);
    }

    [TestCase("- log_level: debug\n", "line 1, column 1: an Agent configuration is a mapping of keys (as datadog.yaml), not a list or a single value", TestName = "AddYamlFile_List_SaysItMustBeAMapping")]
    [TestCase("log_level: [debug\n", "invalid YAML", TestName = "AddYamlFile_MalformedYaml_SaysWhere")]
    public void AddYamlFile_BadFile_SaysWhatIsWrong(string yaml, string expected)
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("datadog.yaml", yaml);

        var error = Assert.Throws<CheckConfigurationException>(() => new AgentConfig().AddYamlFile(path))!;

        Assert.That(error.Message, Does.StartWith(path).And.Contain(expected));
    }

    [Test]
    public void AddYamlFile_MissingFile_NamesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pychecks-absent-{Guid.NewGuid():N}", "datadog.yaml");

        var error = Assert.Throws<CheckConfigurationException>(() => new AgentConfig().AddYamlFile(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}: cannot read the Agent configuration"));
    }

    [Test]
    public void Binder_AgentConfigSection_SetsTypedScalarsListsAndMappings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PyChecks:AgentVersion"] = "7.60.0",
            ["PyChecks:AgentConfig:log_level"] = "debug",
            ["PyChecks:AgentConfig:enable_metadata_collection"] = "false",
            ["PyChecks:AgentConfig:dogstatsd_port"] = "8126",
            ["PyChecks:AgentConfig:proxy:https"] = "http://proxy:3128",
            ["PyChecks:AgentConfig:proxy:no_proxy:0"] = "localhost",
            ["PyChecks:AgentConfig:proxy:no_proxy:1"] = "10.0.0.1",
        }).Build();
        var options = new PyChecksOptions();

        new PyChecksConfigurationBinder(new ServiceProviderWith(configuration)).Configure(options);

        Assert.Multiple(() =>
        {
            Assert.That(options.AgentVersion, Is.EqualTo("7.60.0"));
            Assert.That(options.AgentConfig.Get("log_level"), Is.EqualTo("debug"));
            Assert.That(options.AgentConfig.Get("enable_metadata_collection"), Is.EqualTo(false));
            Assert.That(options.AgentConfig.Get("dogstatsd_port"), Is.EqualTo(8126L));
            Assert.That(options.AgentConfig.Get("proxy"), Is.EqualTo(new Dictionary<string, object?>
            {
                ["https"] = "http://proxy:3128",
                ["no_proxy"] = new List<object?> { "localhost", "10.0.0.1" },
            }));
        });
    }

    [TestCase(LogLevel.Trace, "trace")]
    [TestCase(LogLevel.Debug, "debug")]
    [TestCase(LogLevel.Information, "info")]
    [TestCase(LogLevel.Warning, "warn")]
    [TestCase(LogLevel.Error, "error")]
    [TestCase(LogLevel.Critical, "critical")]
    public void HostLogLevel_FollowsTheLevelEnabledForChecks(LogLevel minimum, string expected)
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(new Infrastructure.RecordingLoggerProvider())
            .SetMinimumLevel(LogLevel.Critical)
            .AddFilter(HostLogLevel.Category, minimum));

        Assert.That(HostLogLevel.Of(factory), Is.EqualTo(expected));
    }

    [Test]
    public void HostLogLevel_NoLogging_IsOff()
        => Assert.That(HostLogLevel.Of(NullLoggerFactory.Instance), Is.EqualTo("off"));

    private sealed class ServiceProviderWith(IConfiguration configuration) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IConfiguration) ? configuration : null;
    }
}
