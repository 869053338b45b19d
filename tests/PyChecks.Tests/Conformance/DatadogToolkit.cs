using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// Datadog's check toolkit and integrations as their authors ship them, in the <c>shared/datadog</c> folder found
/// by walking up from the repository root: <c>datadog_checks_base/</c>, <c>integrations/&lt;name&gt;/</c> and
/// <c>deps/binary/</c>. Nothing here is modified; the suite only reads it.
/// </summary>
internal sealed class DatadogToolkit
{
    /// <summary>The integrations the suite runs, every one that the shared folder holds.</summary>
    public static readonly IReadOnlyList<string> IntegrationNames =
    [
        "apache", "directory", "disk", "fluentd", "go_expvar", "lighttpd",
        "linux_proc_extras", "network", "openmetrics", "process", "system_core", "system_swap",
    ];

    private DatadogToolkit(string root) => Root = root;

    /// <summary>The <c>shared/datadog</c> folder.</summary>
    public string Root { get; }

    /// <summary>The folder of the <c>datadog_checks.base</c> part of the namespace package.</summary>
    public string BaseFolder => Path.Combine(Root, "datadog_checks_base");

    /// <summary>The folder holding the <c>binary</c> package the toolkit imports at start.</summary>
    public string BinaryFolder => Path.Combine(Root, "deps", "binary");

    /// <summary>The toolkit when it is found, else <see langword="null"/> and why.</summary>
    public static (DatadogToolkit? Toolkit, string Looked) Find() =>
        DatadogSources.Root is { } root ? (new DatadogToolkit(root), root) : (null, "no shared/datadog/datadog_checks_base above the repository");

    /// <summary>The files of one integration.</summary>
    public Integration Integration(string name) => new(name, Path.Combine(Root, "integrations", name));
}
