using System.Collections.ObjectModel;
using PyChecks.Checks.Configuration;

namespace PyChecks;

/// <summary>
/// One check's configuration: a check name with its <c>init_config</c> and its instances, as parsed from a
/// YAML file in <c>conf.d</c> or given in code. <see cref="CheckInstanceConfig"/> is what each instance
/// resolves to once its reserved keys are checked.
/// </summary>
public sealed class CheckConfig
{
    private readonly IReadOnlyDictionary<string, object?> _initConfig = ReadOnlyDictionary<string, object?>.Empty;

    /// <summary>The check's name: the Python module that implements it, and the prefix of its check ids.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The <c>init_config</c> mapping shared by all instances; empty when the file has none or leaves it null.
    /// Values read from YAML are <see langword="null"/>, <see cref="bool"/>, <see cref="long"/> (or
    /// <see cref="System.Numerics.BigInteger"/> beyond its range), <see cref="double"/>, <see cref="string"/>,
    /// <c>List&lt;object?&gt;</c> or <c>Dictionary&lt;string, object?&gt;</c>.
    /// </summary>
    public IReadOnlyDictionary<string, object?> InitConfig
    {
        get => _initConfig;
        init => _initConfig = value ?? ReadOnlyDictionary<string, object?>.Empty;
    }

    /// <summary>The instances, one mapping each (values typed as in <see cref="InitConfig"/>); every instance runs separately with its own check id.</summary>
    public required IReadOnlyList<IReadOnlyDictionary<string, object?>> Instances { get; init; }

    /// <summary>Where the configuration came from: the file path, or <c>"code"</c> for programmatic registration.</summary>
    public string Source { get; init; } = "code";

    /// <summary>
    /// The file's top-level <c>cluster_check: true</c> (the Datadog Agent's key): its instances are cluster checks, run
    /// by one host of a cluster at a time (<see cref="CheckInstanceConfig.ClusterCheck"/>).
    /// </summary>
    public bool ClusterCheck { get; init; }

    /// <summary>Where each instance sits in <see cref="Source"/>; <see langword="null"/> unless read from a file.</summary>
    internal IReadOnlyList<InstanceLocation>? InstanceLocations { get; init; }

    /// <summary>Why a file that the Agent accepts configures nothing to run here (an Autodiscovery template, a logs-only file); <see langword="null"/> otherwise.</summary>
    internal string? NotRunReason { get; init; }
}
