using System.Text.Json;

namespace PyChecks.Tests.Conformance;

/// <summary>What one integration did in the conformance run: written by the child process as JSON, asserted on by the tests.</summary>
internal sealed record IntegrationRun
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The integration.</summary>
    public required string Name { get; init; }

    /// <summary>The adapted configuration file, as written to <c>conf.d</c>.</summary>
    public required string ConfigFile { get; init; }

    /// <summary>Its text, for failure messages.</summary>
    public required string ConfigText { get; init; }

    /// <summary>Why its configuration could not be read or its check not loaded; <see langword="null"/> when it loaded.</summary>
    public string? LoadError { get; init; }

    /// <summary>Every run of every instance, in order.</summary>
    public List<RunOutcome> Runs { get; init; } = [];

    /// <summary>The distinct metrics submitted over all runs.</summary>
    public List<SubmittedMetric> Metrics { get; init; } = [];

    /// <summary>The distinct service checks submitted over all runs.</summary>
    public List<SubmittedServiceCheck> ServiceChecks { get; init; } = [];

    /// <summary>Warnings and errors the check logged.</summary>
    public List<string> Logs { get; init; } = [];

    /// <summary>The file the child writes for <paramref name="name"/> in <paramref name="folder"/>.</summary>
    public static string PathFor(string folder, string name) => System.IO.Path.Combine(folder, name + ".json");

    /// <summary>Writes this record to its file in <paramref name="folder"/>.</summary>
    public void Save(string folder) => File.WriteAllText(PathFor(folder, Name), JsonSerializer.Serialize(this, Json));

    /// <summary>Reads the record of <paramref name="name"/>, or <see langword="null"/> when the child wrote none.</summary>
    public static IntegrationRun? Load(string folder, string name) =>
        File.Exists(PathFor(folder, name)) ? JsonSerializer.Deserialize<IntegrationRun>(File.ReadAllText(PathFor(folder, name)), Json) : null;
}

/// <summary>One run of one instance.</summary>
/// <param name="CheckId">The instance.</param>
/// <param name="Succeeded">Whether <c>run()</c> completed without an error.</param>
/// <param name="Error">The error, with its Python traceback.</param>
/// <param name="Warnings">What the check reported through <c>self.warning</c>.</param>
internal sealed record RunOutcome(string CheckId, bool Succeeded, string? Error, IReadOnlyList<string> Warnings);

/// <summary>A metric name and the type it was submitted as.</summary>
internal sealed record SubmittedMetric(string Name, MetricType Type);

/// <summary>A service check as submitted.</summary>
internal sealed record SubmittedServiceCheck(string Name, ServiceCheckStatus Status, string Message);
