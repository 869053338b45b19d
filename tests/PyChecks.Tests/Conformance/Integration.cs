using System.Text.Json;

namespace PyChecks.Tests.Conformance;

/// <summary>One integration's folder and the files the suite reads from it.</summary>
/// <param name="Name">The check name, e.g. <c>go_expvar</c>.</param>
/// <param name="Folder">Its folder, which goes on <c>sys.path</c> (a part of the <c>datadog_checks</c> namespace package).</param>
internal sealed record Integration(string Name, string Folder)
{
    /// <summary>
    /// The aggregates the Agent makes of a histogram (its default <c>histogram_aggregates</c> and
    /// <c>histogram_percentiles</c>): <c>metadata.csv</c> lists those names, not the histogram's own.
    /// </summary>
    private static readonly string[] HistogramSuffixes = [".avg", ".count", ".max", ".median", ".95percentile"];

    /// <summary>Its <c>data/</c> folder, where the Agent's configuration example lives.</summary>
    public string DataFolder => Path.Combine(Folder, "datadog_checks", Name, "data");

    /// <summary>
    /// The configuration it ships: <c>conf.yaml.example</c>, or <c>conf.yaml.default</c> for integrations the Agent
    /// enables by default and that ship no example.
    /// </summary>
    public string ShippedConfig => File.Exists(Path.Combine(DataFolder, "conf.yaml.example"))
        ? Path.Combine(DataFolder, "conf.yaml.example")
        : Path.Combine(DataFolder, "conf.yaml.default");

    /// <summary>Every metric it may submit; absent for integrations whose metrics the user configures (<c>openmetrics</c>).</summary>
    public string MetadataCsv => Path.Combine(Folder, "metadata.csv");

    /// <summary>Every service check it may submit.</summary>
    public string ServiceChecksJson => Path.Combine(Folder, "assets", "service_checks.json");

    /// <summary>The metric names of <c>metadata.csv</c> (its first column).</summary>
    public IReadOnlySet<string> ListedMetrics() =>
        File.ReadLines(MetadataCsv)
            .Skip(1) // metric_name,metric_type,…
            .Where(line => line.Length > 0)
            .Select(line => line[..line.IndexOf(',', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The <c>check</c> names of <c>assets/service_checks.json</c>.</summary>
    public IReadOnlySet<string> ListedServiceChecks()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ServiceChecksJson));
        return document.RootElement.EnumerateArray()
            .Select(entry => entry.GetProperty("check").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether <c>metadata.csv</c> lists a submitted metric: by its name, or for a histogram by the names of the
    /// aggregates the Agent would make of it.
    /// </summary>
    public static bool IsListed(IReadOnlySet<string> listed, string name, MetricType type) =>
        listed.Contains(name)
        || (type is MetricType.Histogram or MetricType.Historate && HistogramSuffixes.Any(suffix => listed.Contains(name + suffix)));
}
