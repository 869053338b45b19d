using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// Each integration's shipped configuration (<c>conf.yaml.example</c> or <c>conf.yaml.default</c>), minimally adapted
/// the way a user would: the example is loaded and only the keys listed here change in its first instance — a real
/// folder, a local endpoint, what a placeholder such as <c>&lt;NAME&gt;</c> stands for — so the shape of the file
/// the integration's authors ship is what is exercised. A file with nothing to change is copied as it is.
/// </summary>
internal static class IntegrationConfig
{
    /// <summary>The namespace given to <c>openmetrics</c>, which prefixes every metric it submits.</summary>
    public const string OpenMetricsNamespace = "conformance";

    /// <summary>
    /// The metrics <c>openmetrics</c> is configured to collect, as it submits them: the raw gauge, a counter
    /// (<c>_total</c> dropped, <c>.count</c> added), a histogram (<c>.bucket</c>, <c>.sum</c>, <c>.count</c>)
    /// and a gauge renamed by a mapping.
    /// </summary>
    public static readonly IReadOnlyList<string> OpenMetricsSubmitted =
    [
        "conformance.go_goroutines",
        "conformance.http_requests.count",
        "conformance.http_request_duration_seconds.bucket",
        "conformance.http_request_duration_seconds.sum",
        "conformance.http_request_duration_seconds.count",
        "conformance.process.memory.resident",
    ];

    /// <summary>The keys changed in the first instance of <paramref name="integration"/>'s shipped file.</summary>
    public static IReadOnlyDictionary<string, object> Changes(string integration, StandIns standIns) => integration switch
    {
        "apache" => new Dictionary<string, object> { ["apache_status_url"] = standIns.Apache.BaseUrl + "/server-status?auto" },
        "directory" => new Dictionary<string, object> { ["directory"] = standIns.Directory },
        "fluentd" => new Dictionary<string, object> { ["monitor_agent_url"] = standIns.Fluentd.BaseUrl + "/api/plugins.json" },
        // No path: the check appends /debug/vars, as for the example's http://localhost:8080.
        "go_expvar" => new Dictionary<string, object> { ["expvar_url"] = standIns.GoExpvar.BaseUrl },
        "lighttpd" => new Dictionary<string, object> { ["lighttpd_status_url"] = standIns.Lighttpd.BaseUrl + "/server-status?auto" },
        "openmetrics" => new Dictionary<string, object>
        {
            ["openmetrics_endpoint"] = standIns.OpenMetrics.BaseUrl + "/metrics",
            ["namespace"] = OpenMetricsNamespace,
            ["metrics"] = new object[]
            {
                "go_goroutines",
                "http_requests",
                "http_request_duration_seconds",
                new Dictionary<string, object> { ["process_resident_memory_bytes"] = "process.memory.resident" },
            },
        },
        // The example's <NAME> placeholder, and one of search_string/pid/pid_file as its comments require: this process.
        "process" => new Dictionary<string, object> { ["name"] = "conformance", ["pid"] = Environment.ProcessId },
        _ => new Dictionary<string, object>(),
    };

    /// <summary>
    /// Writes <paramref name="integration"/>'s adapted configuration where the Agent would read it,
    /// <c>conf.d/&lt;name&gt;.d/conf.yaml</c> (<c>conf.yaml.default</c> for a default file), and returns its path.
    /// </summary>
    public static string Write(Integration integration, string confD, IReadOnlyDictionary<string, object> changes)
    {
        string shipped = integration.ShippedConfig;
        string folder = Directory.CreateDirectory(Path.Combine(confD, integration.Name + ".d")).FullName;
        string target = Path.Combine(folder, shipped.EndsWith(".default", StringComparison.Ordinal) ? "conf.yaml.default" : "conf.yaml");
        if (changes.Count == 0)
        {
            File.Copy(shipped, target, overwrite: true);
            return target;
        }

        var yaml = new YamlStream();
        using (var reader = new StreamReader(shipped))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        if (root.Children[new YamlScalarNode("instances")] is not YamlSequenceNode { Children.Count: > 0 } instances)
        {
            throw new InvalidOperationException($"{shipped} has no instance to adapt.");
        }

        if (instances.Children[0] is not YamlMappingNode instance)
        {
            throw new InvalidOperationException($"{shipped}: its first instance is not a mapping, so there is nothing to change in it.");
        }

        foreach (var (key, value) in changes)
        {
            instance.Children[new YamlScalarNode(key)] = ToNode(value);
        }

        using (var writer = new StreamWriter(target))
        {
            yaml.Save(writer, assignAnchors: false);
        }

        return target;
    }

    private static YamlNode ToNode(object value) => value switch
    {
        string text => new YamlScalarNode(text),
        int number => new YamlScalarNode(number.ToString(CultureInfo.InvariantCulture)),
        IDictionary<string, object> mapping => new YamlMappingNode(mapping.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToNode(p.Value)))),
        IEnumerable<object> items => new YamlSequenceNode(items.Select(ToNode)),
        _ => throw new ArgumentException($"No YAML form for {value.GetType()}.", nameof(value)),
    };
}
