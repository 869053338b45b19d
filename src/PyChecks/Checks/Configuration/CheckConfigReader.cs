using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace PyChecks.Checks.Configuration;

/// <summary>
/// Reads check configuration the way the Datadog Agent lays it out and spells it: a <c>conf.d</c> directory of
/// YAML files (<see cref="ConfDirectoryLayout"/>), each a mapping of <c>init_config</c> and <c>instances</c>, and
/// resolves each instance's reserved keys into a <see cref="CheckInstanceConfig"/>. Every problem is a
/// <see cref="CheckConfigurationException"/> naming the file, line and column where they are known.
/// </summary>
/// <remarks>
/// The shapes the Agent accepts load: an empty list item (<c>instances:\n  -</c>) is an instance with no keys;
/// <c>init_config</c> may be empty or absent; other top-level keys (<c>logs</c>, <c>cluster_check</c>, …) are
/// ignored; a file with only <c>logs</c> or <c>jmx_metrics</c>, and an Autodiscovery template
/// (<c>ad_identifiers</c>), configure no instance here (<see cref="CheckConfig.NotRunReason"/>).
/// </remarks>
internal static partial class CheckConfigReader
{
    /// <summary>The interval of an instance without <c>min_collection_interval</c> (or with 0), as in the Agent.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(15);

    private const string TabProblem = "tabs are not allowed in YAML indentation; use spaces";

    /// <summary>
    /// Reads every check configuration in <paramref name="confD"/>, or those of one check. A file that cannot be used
    /// adds an error and never stops the others; a missing directory is one error that names it.
    /// </summary>
    /// <param name="confD">The <c>conf.d</c> directory.</param>
    /// <param name="checkName">Read only this check's files (no other file is opened); every check's when null.</param>
    /// <param name="maxFileBytes">The largest file read; a larger one is an error (<see cref="PyChecksOptions.MaxConfigFileBytes"/>).</param>
    public static CheckConfigReadResult ReadDirectory(string confD, string? checkName = null, long maxFileBytes = PyChecksOptions.DefaultMaxConfigFileBytes)
    {
        var errors = new List<CheckConfigurationException>();
        var configs = new List<CheckConfig>();
        foreach (var file in ConfDirectoryLayout.Find(confD, errors, checkName))
        {
            try
            {
                configs.Add(ReadFile(file.Path, file.CheckName, maxFileBytes));
            }
            catch (CheckConfigurationException e)
            {
                errors.Add(e);
            }
        }

        return new CheckConfigReadResult(configs, errors);
    }

    /// <summary>Reads one configuration file of check <paramref name="checkName"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="checkName">The check it configures.</param>
    /// <param name="maxFileBytes">The largest file read; a larger one is an error (<see cref="PyChecksOptions.MaxConfigFileBytes"/>).</param>
    /// <exception cref="CheckConfigurationException">The file cannot be read, is too large or not validly encoded, is not valid YAML, or is not shaped like a check configuration.</exception>
    public static CheckConfig ReadFile(string path, string checkName, long maxFileBytes = PyChecksOptions.DefaultMaxConfigFileBytes)
    {
        string text = ConfigFileText.Read(path, maxFileBytes);

        ComposedYaml yaml;
        try
        {
            yaml = YamlComposer.Compose(text);
        }
        catch (YamlException e)
        {
            throw InvalidYaml(path, text, e);
        }

        if (yaml.IsEmpty)
        {
            throw new CheckConfigurationException(path, null, null, "the file is empty; a check configuration is a mapping with 'init_config' and 'instances'");
        }

        if (yaml.Root is not Dictionary<string, object?> root)
        {
            throw At(path, yaml.RootPosition, $"the top level must be a mapping with 'init_config' and 'instances', not {Describe(yaml.Root)}");
        }

        var initConfig = root.GetValueOrDefault("init_config") switch
        {
            null => new Dictionary<string, object?>(StringComparer.Ordinal),
            Dictionary<string, object?> mapping => mapping,
            var other => throw At(path, yaml.ValueOf(root, "init_config"), $"'init_config' must be a mapping or empty, not {Describe(other)}"),
        };

        // An Autodiscovery template runs only when the Agent finds a matching container; PyChecks has no such discovery.
        if (TemplateKey(root) is { } templateKey)
        {
            return new CheckConfig
            {
                Name = checkName,
                InitConfig = initConfig,
                Instances = [],
                Source = path,
                InstanceLocations = [],
                NotRunReason = $"an Autodiscovery template ('{templateKey}'): its instances run only where the Datadog Agent discovers a matching service",
            };
        }

        object? instancesValue = root.GetValueOrDefault("instances");
        if (instancesValue is null)
        {
            // A logs-only or JMX-metrics-only file is valid in the Agent: it configures no check instance.
            if (root.ContainsKey("logs") || root.ContainsKey("jmx_metrics"))
            {
                return new CheckConfig
                {
                    Name = checkName,
                    InitConfig = initConfig,
                    Instances = [],
                    Source = path,
                    InstanceLocations = [],
                    NotRunReason = $"only '{(root.ContainsKey("logs") ? "logs" : "jmx_metrics")}' is configured; PyChecks runs check instances, not log collection or JMX",
                };
            }

            if (!root.ContainsKey("instances"))
            {
                throw new CheckConfigurationException(path, null, null, "'instances' is missing; a check configuration needs a list of instances ('instances: []' for none)");
            }
        }

        if (instancesValue is not List<object?> list)
        {
            throw At(path, yaml.ValueOf(root, "instances"), $"'instances' must be a list of mappings, not {Describe(instancesValue)}");
        }

        var instances = new List<IReadOnlyDictionary<string, object?>>(list.Count);
        var locations = new List<InstanceLocation>(list.Count);
        for (int i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case null:
                    // '-' alone: the Agent reads an empty item as an instance with no keys (Datadog ships such conf.yaml.default files).
                    instances.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
                    locations.Add(new InstanceLocation(yaml.ItemOf(list, i), new Dictionary<string, TextPosition>(StringComparer.Ordinal)));
                    break;
                case Dictionary<string, object?> instance:
                    instances.Add(instance);
                    locations.Add(new InstanceLocation(yaml.ItemOf(list, i), yaml.ValuesOf(instance)));
                    break;
                default:
                    throw At(path, yaml.ItemOf(list, i), $"instance {i + 1} must be a mapping, not {Describe(list[i])}");
            }
        }

        return new CheckConfig
        {
            Name = checkName,
            InitConfig = initConfig,
            Instances = instances,
            Source = path,
            InstanceLocations = locations,
            ClusterCheck = root.GetValueOrDefault("cluster_check") is true,
        };
    }

    /// <summary>The Autodiscovery key that makes <paramref name="root"/> a template, if any.</summary>
    private static string? TemplateKey(Dictionary<string, object?> root)
        => root.GetValueOrDefault("ad_identifiers") is not null ? "ad_identifiers"
            : root.GetValueOrDefault("advanced_ad_identifiers") is not null ? "advanced_ad_identifiers"
            : null;

    /// <summary>
    /// Resolves each instance of <paramref name="config"/>: checks the reserved keys (<c>min_collection_interval</c>, <c>run_timeout</c>,
    /// <c>isolation</c>, <c>tags</c>, <c>service</c>, <c>name</c>, <c>empty_default_hostname</c>, <c>cluster_check</c>) and computes its check id.
    /// </summary>
    /// <exception cref="CheckConfigurationException">The first instance with a bad reserved key, or one identical to an earlier instance.</exception>
    public static IReadOnlyList<CheckInstanceConfig> Resolve(CheckConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(config.Name))
        {
            throw new CheckConfigurationException(config.InstanceLocations is null ? null : config.Source, null, null, $"the check name is empty (configuration from {config.Source})");
        }

        var resolved = new List<CheckInstanceConfig>(config.Instances.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < config.Instances.Count; i++)
        {
            var instance = config.Instances[i] ?? throw InstanceError(config, i, null, "the instance is null; an instance is a mapping");
            var interval = ReadSeconds(config, i, "min_collection_interval", instance.GetValueOrDefault("min_collection_interval")) is { } seconds && seconds != TimeSpan.Zero
                ? seconds
                : DefaultInterval;
            var runTimeout = ReadSeconds(config, i, "run_timeout", instance.GetValueOrDefault("run_timeout"));
            if (runTimeout == TimeSpan.Zero)
            {
                throw InstanceError(config, i, "run_timeout", "'run_timeout' must be a number of seconds greater than 0; leave it out to use the check's interval");
            }

            var isolation = ReadString(config, i, instance, "isolation") switch
            {
                null => (CheckIsolation?)null,
                "process" => CheckIsolation.Process,
                "in_process" => CheckIsolation.InProcess,
                var other => throw InstanceError(config, i, "isolation", $"'isolation' must be 'process' or 'in_process', not '{other}'"),
            };
            string? service = ReadString(config, i, instance, "service");
            string? name = ReadString(config, i, instance, "name");
            var tags = ReadTags(config, i, instance.GetValueOrDefault("tags"), service);
            bool emptyDefaultHostname = instance.GetValueOrDefault("empty_default_hostname") switch
            {
                null => false,
                bool flag => flag,
                var other => throw InstanceError(config, i, "empty_default_hostname", $"'empty_default_hostname' must be true or false, not {Describe(other)}"),
            };

            bool clusterCheck = config.ClusterCheck || instance.GetValueOrDefault("cluster_check") switch
            {
                null => false,
                bool flag => flag,
                var other => throw InstanceError(config, i, "cluster_check", $"'cluster_check' must be true or false, not {Describe(other)}"),
            };

            string checkId;
            try
            {
                checkId = CheckIdentity.ComputeCheckId(config.Name, instance, config.InitConfig);
            }
            catch (ArgumentException)
            {
                throw InstanceError(config, i, null, $"the instance or init_config nests deeper than {CheckIdentity.MaxDepth} levels; does a list or mapping contain itself?");
            }

            if (!seen.TryAdd(checkId, i))
            {
                throw InstanceError(config, i, null, $"the instance is identical to instance {seen[checkId] + 1} (check id {checkId}); remove one, or give each a different 'name'");
            }

            resolved.Add(new CheckInstanceConfig(
                config.Name,
                checkId,
                config.InitConfig,
                instance,
                interval,
                tags,
                service,
                name,
                emptyDefaultHostname,
                config.Source,
                LocationOf(config, i)?.Start.Line)
            {
                RunTimeout = runTimeout,
                Isolation = isolation,
                ClusterCheck = clusterCheck,
            });
        }

        return resolved;
    }

    // min_collection_interval, run_timeout: seconds as an int or a float, 0 or more; null when absent.
    private static TimeSpan? ReadSeconds(CheckConfig config, int index, string key, object? value)
    {
        if (value is null)
        {
            return null;
        }

        double seconds = value switch
        {
            BigInteger big => (double)big,
            sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => double.NaN,
        };
        if (double.IsNaN(seconds) || seconds < 0)
        {
            throw InstanceError(config, index, key, $"'{key}' must be a number of seconds, 0 or more, not {Describe(value)}");
        }

        if (seconds >= TimeSpan.MaxValue.TotalSeconds)
        {
            throw InstanceError(config, index, key, $"'{key}' is too large: {Describe(value)}");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static IReadOnlyList<string> ReadTags(CheckConfig config, int index, object? value, string? service)
    {
        if (value is string or IDictionary or IReadOnlyDictionary<string, object?> || (value is not null && value is not IEnumerable))
        {
            throw InstanceError(config, index, "tags", $"'tags' must be a list of strings, not {Describe(value)}");
        }

        // Non-string items are dropped, as the Agent's AgentCheck drops them.
        var tags = value is IEnumerable items ? items.OfType<string>().ToList() : [];
        if (service is not null && !tags.Contains($"service:{service}"))
        {
            tags.Add($"service:{service}");
        }

        return [.. tags];
    }

    /// <summary>A string-valued reserved key; an empty string counts as absent, as in the Agent.</summary>
    private static string? ReadString(CheckConfig config, int index, IReadOnlyDictionary<string, object?> instance, string key)
        => instance.GetValueOrDefault(key) switch
        {
            null or "" => null,
            string text => text,
            var other => throw InstanceError(config, index, key, $"'{key}' must be a string, not {Describe(other)}"),
        };

    private static InstanceLocation? LocationOf(CheckConfig config, int index)
        => config.InstanceLocations is { } locations && index < locations.Count ? locations[index] : null;

    private static CheckConfigurationException InstanceError(CheckConfig config, int index, string? key, string problem)
    {
        string what = $"instance {index + 1}: {problem}";
        if (LocationOf(config, index) is not { } location)
        {
            return new CheckConfigurationException(null, null, null, $"check '{config.Name}' ({config.Source}), {what}");
        }

        return At(config.Source, key is null ? location.Start : location.Of(key), what);
    }

    private static CheckConfigurationException InvalidYaml(string path, string text, YamlException e)
    {
        // YamlDotNet reports a tab in indentation at the node it was scanning, often a line or more above the tab.
        if (TabWord().IsMatch(e.Message) && FindTabIndentation(text, (int)e.Start.Line) is { } tab)
        {
            return At(path, tab, TabProblem, e);
        }

        string problem = e.Message.TrimEnd('.');
        return At(path, TextPosition.From(e.Start), $"invalid YAML: {problem}", e);
    }

    /// <summary>The first tab in the leading whitespace of a line at or after <paramref name="fromLine"/>.</summary>
    private static TextPosition? FindTabIndentation(string text, int fromLine)
    {
        int line = 0;
        foreach (var content in text.AsSpan().EnumerateLines())
        {
            line++;
            int indent = content.IndexOfAnyExcept(' ', '\t');
            var leading = indent < 0 ? content : content[..indent];
            if (line >= fromLine && leading.IndexOf('\t') is var column and >= 0)
            {
                return new TextPosition(line, column + 1);
            }
        }

        return null;
    }

    private static CheckConfigurationException At(string file, TextPosition position, string problem, Exception? inner = null)
        => new(file, position.Line, position.Column, problem, inner);

    /// <summary>A value as a message shows it: its kind, and the value itself when short.</summary>
    private static string Describe(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        string text => text.Length <= 40 ? $"the string '{text}'" : $"the string '{text[..40]}…'",
        IDictionary or IReadOnlyDictionary<string, object?> => "a mapping",
        IEnumerable => "a list",
        IFormattable number => $"the number {number.ToString(null, CultureInfo.InvariantCulture)}",
        _ => $"a {value.GetType().Name}",
    };

    [GeneratedRegex(@"\btab\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TabWord();
}
