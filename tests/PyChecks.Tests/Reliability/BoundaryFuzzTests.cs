using System.Globalization;
using System.Text;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// Property-style fuzzing of the boundary between checks and the host: random Python values to every function
/// of the <c>aggregator</c> and <c>datadog_agent</c> built-ins and to the <c>AgentCheck</c> methods that wrap them,
/// and random .NET configuration graphs to the check. Each call must raise an expected Python exception or
/// succeed with what the documented rules predict, checked against what the sender received.
/// </summary>
/// <remarks>
/// The seed and the number of calls per function come from <c>PYCHECKS_FUZZ_SEED</c> and
/// <c>PYCHECKS_FUZZ_ITERATIONS</c>, else the fixed defaults below; both are printed, and a failure names the step
/// seed that replays it. The Python side (the value generators and the rules as a model) is
/// <c>Reliability/boundary_fuzz.py</c>.
/// </remarks>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class BoundaryFuzzTests
{
    public const string SeedVariable = "PYCHECKS_FUZZ_SEED";
    public const string IterationsVariable = "PYCHECKS_FUZZ_ITERATIONS";
    public const long DefaultSeed = 20261201;
    public const int DefaultIterations = 3000;

    private const string ConfiguredTagsYaml = "instances: [{tags: ['env:fuzz'], service: boundary}]\n";
    private static readonly string[] ConfiguredTags = ["env:fuzz", "service:boundary"];

    private const string FuzzCheck = """
        from datadog_checks.base import AgentCheck
        class Fuzz(AgentCheck):
            def check(self, instance):
                pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AggregatorFunctions_RandomArguments_RaiseExpectedErrorsOrDeliverWhatTheRulesSay(PythonInstall install) =>
        RunFuzz(install, FuzzAggregator);

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AgentCheckMethods_RandomArguments_RaiseExpectedErrorsOrDeliverWhatTheRulesSay(PythonInstall install) =>
        RunFuzz(install, FuzzAgentCheck);

    private static void FuzzAggregator() => Fuzz("AGGREGATOR_FUNCTIONS");

    private static void FuzzAgentCheck() => Fuzz("AGENT_CHECK_METHODS");

    internal static (long Seed, int Iterations) Settings()
    {
        long seed = long.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : DefaultSeed;
        int iterations = int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultIterations;
        return (seed, iterations);
    }

    internal static void RunFuzz(PythonInstall install, Action scenario)
    {
        var (seed, iterations) = Settings();
        TestContext.Out.WriteLine($"{SeedVariable}={seed} {IterationsVariable}={iterations} ({install.Label})");
        Isolated.Run(install, scenario, new Dictionary<string, string?>
        {
            [SeedVariable] = seed.ToString(CultureInfo.InvariantCulture),
            [IterationsVariable] = iterations.ToString(CultureInfo.InvariantCulture),
        }, TimeSpan.FromMinutes(5));
    }

    internal static PyObject LoadDriver()
    {
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reliability", "boundary_fuzz.py"));
        return PyObject.CreateModule("boundary_fuzz", source);
    }

    private static void Fuzz(string functionList)
    {
        var (seed, iterations) = Settings();
        var folder = new CheckFolder().Check("fuzz", FuzzCheck).Config("fuzz", ConfiguredTagsYaml);
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.Id, Does.StartWith("fuzz:"));

        var failures = new List<string>();
        var counts = new Dictionary<string, (int Ok, int Raised)>(StringComparer.Ordinal);
        using (var gil = host.Runtime.AcquireGil())
        {
            using var driver = LoadDriver();
            using var fuzzerType = driver.GetAttr("Fuzzer");
            using var seedObject = PyObject.From(seed);
            using var idObject = PyObject.From(check.Id);
            using var tagsObject = PyObject.FromClr(ConfiguredTags);
            using var fuzzer = fuzzerType.Call(seedObject, idObject, tagsObject);
            using var step = fuzzer.GetAttr("step");
            using var functionsObject = driver.GetAttr(functionList);
            var functions = ((object?[])functionsObject.ToClr()!).Cast<string>().ToArray();
            foreach (string function in functions)
            {
                using var name = PyObject.From(function);
                int ok = 0, raised = 0;
                for (int i = 0; i < iterations && failures.Count < 12; i++)
                {
                    sender.Clear();
                    using var result = step.Call(name);
                    var parts = (object?[])result.ToClr()!;
                    string description = (string)parts[0]!;
                    string outcome = (string)parts[1]!;
                    var predicted = ((List<object?>)parts[2]!).Select(Format).ToList();
                    if (outcome == "raised")
                    {
                        raised++;
                    }
                    else if (outcome == "ok")
                    {
                        ok++;
                    }
                    else
                    {
                        failures.Add($"{description}\n  {outcome}");
                        continue;
                    }

                    var received = Received(sender, check.Id);
                    if (!received.SequenceEqual(predicted, StringComparer.Ordinal))
                    {
                        failures.Add($"{description}\n  predicted: [{string.Join(", ", predicted)}]\n  received:  [{string.Join(", ", received)}]");
                    }
                }

                counts[function] = (ok, raised);
            }
        }

        string summary = string.Join("\n", counts.Select(c => $"  {c.Key}: {c.Value.Ok} delivered or returned, {c.Value.Raised} raised"));
        Console.WriteLine($"seed {seed}, {iterations} calls per function:\n{summary}");
        Assert.That(failures, Is.Empty, $"seed {seed} ({SeedVariable}), {iterations} calls per function ({IterationsVariable}):\n{string.Join("\n", failures)}");
    }

    /// <summary>Everything the sender received, formatted like the predictions (one call delivers at most one sample).</summary>
    private static List<string> Received(InMemorySender sender, string checkId)
    {
        var received = new List<string>();
        var foreign = sender.Metrics.Select(m => m.CheckId).Concat(sender.ServiceChecks.Select(s => s.CheckId))
            .Concat(sender.Events.Select(e => e.CheckId)).Concat(sender.HistogramBuckets.Select(b => b.CheckId))
            .Where(id => id != checkId);
        received.AddRange(foreign.Select(id => $"a sample of check id '{id}'"));
        foreach (var m in sender.Metrics)
        {
            received.Add(Format(new object?[] { "metric", (long)m.Type, m.Name, m.Value, m.Tags.ToList<object?>(), m.Hostname, m.FlushFirstValue}));
        }

        foreach (var s in sender.ServiceChecks)
        {
            received.Add(Format(new object?[] { "service_check", s.Name, (long)s.Status, s.Tags.ToList<object?>(), s.Hostname, s.Message}));
        }

        foreach (var e in sender.Events)
        {
            received.Add(Format(new object?[] { "event", e.Title, e.Text, e.Timestamp, e.Priority, e.Host, e.AlertType, e.AggregationKey, e.SourceTypeName, e.EventType, e.Tags.ToList<object?>()}));
        }

        foreach (var b in sender.HistogramBuckets)
        {
            received.Add(Format(new object?[] { "bucket", b.Name, b.Value, b.LowerBound, b.UpperBound, b.Monotonic, b.Hostname, b.Tags.ToList<object?>()}));
        }

        return received;
    }

    /// <summary>
    /// A prediction (a Python tuple, as an array) or a received sample in one canonical text: strings by their UTF-16
    /// code units (lone surrogates and NUL visible), doubles by their value and bits, long strings shortened.
    /// </summary>
    internal static string Format(object? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("None");
                break;
            case bool b:
                text.Append(b ? "True" : "False");
                break;
            case string s:
                s = s.Contains(" at 0x", StringComparison.Ordinal) ? Address().Replace(s, " at 0x?") : s; // a default repr: the model's object is another
                text.Append('\'');
                int shown = Math.Min(s.Length, 80);
                foreach (char c in s.AsSpan(0, shown))
                {
                    _ = c is >= ' ' and < (char)0x7f and not '\\' and not '\'' ? text.Append(c) : text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }

                if (shown < s.Length)
                {
                    text.Append(CultureInfo.InvariantCulture, $"…({s.Length} chars, hash {s.GetHashCode(StringComparison.Ordinal):x8})");
                }

                text.Append('\'');
                break;
            case double d:
                text.Append(CultureInfo.InvariantCulture, $"{d.ToString("R", CultureInfo.InvariantCulture)}/{BitConverter.DoubleToInt64Bits(d):x16}");
                break;
            case long or int or System.Numerics.BigInteger:
                text.Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            case System.Collections.IEnumerable items:
                text.Append('[');
                bool first = true;
                foreach (object? item in items)
                {
                    if (!first)
                    {
                        text.Append(", ");
                    }

                    first = false;
                    Append(text, item);
                }

                text.Append(']');
                break;
            default:
                text.Append(value.GetType().Name).Append(':').Append(value);
                break;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(" at 0x[0-9a-f]+")]
    private static partial System.Text.RegularExpressions.Regex Address();
}
