using NUnit.Framework;
using PyChecks.Checks.Configuration;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>
/// Every configuration file Datadog ships with its integrations (<c>data/conf.yaml.example</c>, <c>conf.yaml.default</c>,
/// <c>auto_conf.yaml</c>) loads as the Agent reads it.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class DatadogShippedConfigTests
{
    /// <summary>What each shipped file holds once its comments are set aside: the instances, key by key.</summary>
    private static readonly Dictionary<string, Dictionary<string, object?>[]> s_expected = new(StringComparer.Ordinal)
    {
        ["apache/conf.yaml.example"] = [new() { ["apache_status_url"] = "http://localhost/server-status?auto", ["disable_generic_tags"] = true }],
        ["directory/conf.yaml.example"] = [new() { ["directory"] = "<DIRECTORY_PATH>" }],
        ["disk/conf.yaml.default"] = [new() { ["use_mount"] = false }],
        ["fluentd/conf.yaml.example"] = [new() { ["monitor_agent_url"] = "http://example.com:24220/api/plugins.json" }],
        ["go_expvar/conf.yaml.example"] = [new() { ["expvar_url"] = "http://localhost:8080" }],
        ["lighttpd/conf.yaml.example"] = [new() { ["lighttpd_status_url"] = "http://localhost/server-status?auto" }],
        ["linux_proc_extras/conf.yaml.example"] = [new()],
        ["network/conf.yaml.default"] = [new()],
        ["openmetrics/conf.yaml.example"] = [new() { ["metrics"] = new List<object?>(), ["tag_by_endpoint"] = false }],
        ["process/conf.yaml.example"] = [new() { ["name"] = "<NAME>" }],
        ["system_core/conf.yaml.example"] = [new()],
        ["system_swap/conf.yaml.example"] = [new()],

        // An Autodiscovery template: nothing to run without the Agent's container discovery.
        ["apache/auto_conf.yaml"] = [],
    };

    private static IEnumerable<TestCaseData> ShippedFiles()
    {
        if (DatadogSources.Root is not { } root)
        {
            yield return new TestCaseData(string.Empty, string.Empty).SetName("ShippedFile_Loads(shared/datadog absent)");
            yield break;
        }

        foreach (string integration in Directory.GetDirectories(Path.Combine(root, "integrations")).Order(StringComparer.Ordinal))
        {
            string check = Path.GetFileName(integration);
            string data = Path.Combine(integration, "datadog_checks", check, "data");
            string[] files = Directory.Exists(data) ? Directory.GetFiles(data) : [];
            foreach (string file in files.Where(IsConfigurationFile).Order(StringComparer.Ordinal))
            {
                yield return new TestCaseData(file, check).SetName($"ShippedFile_Loads({check}/{Path.GetFileName(file)})");
            }
        }
    }

    private static bool IsConfigurationFile(string path)
        => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yaml.example", StringComparison.Ordinal) || path.EndsWith(".yaml.default", StringComparison.Ordinal);

    [TestCaseSource(nameof(ShippedFiles))]
    public void ShippedFile_Loads(string path, string check)
    {
        DatadogSources.RequirePresent();
        string key = $"{check}/{Path.GetFileName(path)}";
        Assert.That(s_expected, Does.ContainKey(key), $"{path} is new: add what it holds to the table");

        var config = CheckConfigReader.ReadFile(path, check);
        var resolved = CheckConfigReader.Resolve(config);

        Assert.Multiple(() =>
        {
            Assert.That(config.Instances, Is.EqualTo(s_expected[key]), path);
            Assert.That(config.InitConfig, Is.Empty, "every shipped file leaves init_config empty");
            Assert.That(resolved, Has.Count.EqualTo(s_expected[key].Length));
            Assert.That(resolved.Select(r => r.Interval), Is.All.EqualTo(CheckConfigReader.DefaultInterval));
        });
    }

    [Test]
    public void ShippedFiles_AllAreCovered()
    {
        string root = DatadogSources.RequirePresent();
        int found = ShippedFiles().Count();

        Assert.That(found, Is.EqualTo(s_expected.Count), $"files under {root}/integrations/*/datadog_checks/*/data");
    }
}
