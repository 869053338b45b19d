using PyChecks.Builtins;
using PyChecks.Checks.Configuration;
using YamlDotNet.Core;

namespace PyChecks;

/// <summary>
/// The Datadog Agent's own configuration (<c>datadog.yaml</c>) as checks see it through
/// <c>datadog_agent.get_config(key)</c>. Keys not set in <see cref="Values"/> answer the Agent's defaults for every
/// key the Datadog toolkit reads (<see cref="Defaults"/>); in a running host, <c>log_level</c> defaults to the lowest
/// level the host's logging enables for the category <c>PyChecks.Checks</c> (<c>debug</c> when it enables Debug). Dotted keys reach into mappings, as in the Agent: <c>get_config('proxy.https')</c>.
/// </summary>
public sealed class AgentConfig
{
    /// <summary>
    /// The Agent's defaults (its <c>pkg/config/setup</c>) for the keys the Datadog toolkit and its integrations read.
    /// <c>proxy</c> is the Agent's answer without proxy settings: no proxy, and cloud metadata endpoints excluded.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Defaults { get; } = new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        ["log_level"] = "info",
        ["enable_metadata_collection"] = true,
        ["disable_unsafe_yaml"] = true,
        ["proxy"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["http"] = string.Empty,
            ["https"] = string.Empty,
            ["no_proxy"] = new List<object?> { "169.254.169.254", "100.100.100.200" },
        },
        ["skip_ssl_validation"] = false,
        ["min_tls_version"] = "tlsv1.2",
        ["allow_arbitrary_tags"] = false,
        ["use_dogstatsd"] = true,
        ["dogstatsd_port"] = 8125L,
        ["histogram_aggregates"] = new List<object?> { "max", "median", "avg", "count" },
        ["histogram_percentiles"] = new List<object?> { "0.95" },
        ["histogram_copy_to_distribution"] = false,
        ["histogram_copy_to_distribution_prefix"] = string.Empty,
        ["hostname"] = string.Empty,
        ["hostname_file"] = string.Empty,
        ["hostname_fqdn"] = false,
        ["hostname_force_config_as_canonical"] = false,
        ["hostname_trust_uts_namespace"] = false,
        ["tags"] = new List<object?>(),
        ["check_runners"] = 4L,
        ["default_integration_http_timeout"] = 9L,
        ["integration_tracing"] = false,
        ["integration_tracing_exhaustive"] = false,
        ["integration_profiling"] = false,
        ["integration_check_status_enabled"] = false,
        ["inventories_enabled"] = true,
        ["procfs_path"] = "/proc",
        ["kubernetes_kubeconfig_path"] = string.Empty,
        ["kubernetes_pod_expiration_duration"] = 900L,
        ["tracemalloc_debug"] = false,
        ["tracemalloc_include"] = string.Empty,
        ["tracemalloc_exclude"] = string.Empty,
        ["tracemalloc_whitelist"] = string.Empty,
        ["tracemalloc_blacklist"] = string.Empty,
        ["secret_backend_command"] = string.Empty,
        ["collect_ec2_tags"] = false,
        ["cmd_port"] = 5001L,
    };

    /// <summary>
    /// The keys set for this host, each overriding its default: scalars (<see langword="null"/>, <see cref="bool"/>,
    /// <see cref="long"/>, <see cref="double"/>, <see cref="string"/>), lists and string-keyed mappings of them.
    /// A key set to <see langword="null"/> answers <c>None</c>.
    /// </summary>
    public IDictionary<string, object?> Values { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>What <c>datadog_agent.get_config(key)</c> answers: <see cref="Values"/>, then <see cref="Defaults"/>; <see langword="null"/> for a key neither has.</summary>
    /// <param name="key">An Agent key, e.g. <c>log_level</c> or, dotted, <c>proxy.http</c>.</param>
    public object? Get(string key) => Find(key, out object? value) ? value : null;

    /// <summary>
    /// Sets every top-level key of a <c>datadog.yaml</c>-style file into <see cref="Values"/> (a key already there is replaced).
    /// </summary>
    /// <param name="path">The YAML file: one mapping of Agent keys.</param>
    /// <exception cref="CheckConfigurationException">The file cannot be read, is larger than <see cref="PyChecksOptions.DefaultMaxConfigFileBytes"/> or not validly encoded, is not YAML, or is not a mapping.</exception>
    public void AddYamlFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text = ConfigFileText.Read(path, PyChecksOptions.DefaultMaxConfigFileBytes, "the Agent configuration");

        ComposedYaml yaml;
        try
        {
            yaml = YamlComposer.Compose(text);
        }
        catch (YamlException e)
        {
            throw new CheckConfigurationException(path, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {e.Message.TrimEnd('.')}", e);
        }

        if (yaml.IsEmpty)
        {
            return;
        }

        if (yaml.Root is not Dictionary<string, object?> root)
        {
            throw new CheckConfigurationException(path, yaml.RootPosition.Line, yaml.RootPosition.Column, "an Agent configuration is a mapping of keys (as datadog.yaml), not a list or a single value");
        }

        foreach (var (key, value) in root)
        {
            Values[key] = value;
        }
    }

    /// <summary>This configuration with <c>log_level</c> defaulting to <paramref name="hostLogLevel"/>, as one read-only snapshot.</summary>
    internal IReadOnlyDictionary<string, object?> Snapshot(string hostLogLevel)
    {
        var all = new Dictionary<string, object?>(Defaults, StringComparer.Ordinal) { ["log_level"] = hostLogLevel };
        foreach (var (key, value) in Values)
        {
            all[key] = value;
        }

        return all;
    }

    private bool Find(string key, out object? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var values = Values as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>(Values, StringComparer.Ordinal);
        return AgentConfigLookup.Find(values, key, out value) || AgentConfigLookup.Find(Defaults, key, out value);
    }
}
