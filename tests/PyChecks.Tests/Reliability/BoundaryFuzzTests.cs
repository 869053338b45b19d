using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
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

    private const int MaxDepth = 200; // how deep a configuration value may nest (docs/writing-checks.md)

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

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void DatadogAgentFunctions_RandomArguments_RaiseExpectedErrorsOrAnswerFromTheOptions(PythonInstall install) =>
        RunFuzz(install, FuzzDatadogAgent);

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Configuration_RandomClrGraphs_ReachTheCheckAsDocumented(PythonInstall install) =>
        RunFuzz(install, FuzzConfiguration);

    // The check encodes what it receives with the fuzz driver's encode(); checks.d holds the driver as a module.
    private const string SeenCheck = """
        from boundary_fuzz import encode
        from datadog_checks.base import AgentCheck

        seen = {}

        class Seen(AgentCheck):
            def check(self, instance):
                seen[self.check_id] = (encode(instance), encode(self.init_config))
        """;

    /// <summary>
    /// Random configurations given in code: each must either be refused by <c>Resolve</c> (nested deeper than the limit,
    /// or containing itself) or reach the check's <c>check(instance)</c> and <c>self.init_config</c> converted as documented.
    /// </summary>
    private static void FuzzConfiguration()
    {
        var (seed, iterations) = Settings();
        int configurations = Math.Max(100, iterations / 5); // each is a load and a run, not one call
        var folder = new CheckFolder().Check("seen", SeenCheck).Check("boundary_fuzz", DriverSource());
        using var host = folder.Start([]);
        var random = new Random(unchecked((int)seed) ^ 0x5eed);
        var failures = new List<string>();
        int refused = 0, loaded = 0;
        for (int i = 0; i < configurations && failures.Count < 12; i++)
        {
            var instance = ClrGraph.Mapping(random, 0);
            instance["n"] = (long)i; // every instance differs
            var initConfig = ClrGraph.Mapping(random, 0);
            int depth = Math.Max(ClrGraph.Depth(instance), ClrGraph.Depth(initConfig));
            var config = new CheckConfig { Name = "seen", InitConfig = initConfig, Instances = [instance] };
            string what = $"configuration {i} (seed {seed}), nesting {(depth == int.MaxValue ? "into itself" : depth.ToString(CultureInfo.InvariantCulture))}";
            IReadOnlyList<CheckInstanceConfig> resolved;
            try
            {
                resolved = PyChecks.Checks.Configuration.CheckConfigReader.Resolve(config);
            }
            catch (CheckConfigurationException e)
            {
                refused++;
                if (depth <= MaxDepth || !e.Message.Contains($"nests deeper than {MaxDepth} levels", StringComparison.Ordinal))
                {
                    failures.Add($"{what}: refused: {e.Message}");
                }

                continue;
            }

            if (depth > MaxDepth)
            {
                failures.Add($"{what}: accepted by Resolve");
                continue;
            }

            try
            {
                using var check = host.Load(resolved[0]);
                var result = check.RunAsync().GetAwaiter().GetResult();
                if (!result.Succeeded)
                {
                    failures.Add($"{what}: the run failed: {result.Error}\n{result.Traceback}");
                    continue;
                }

                using var gil = host.Runtime.AcquireGil();
                using var module = PyObject.Import("seen");
                using var seen = module.GetAttr("seen");
                using var key = PyObject.From(check.Id);
                using var entry = seen.GetItem(key);
                object?[] pair = (object?[])entry.ToClr()!;
                if ((string)pair[0]! != ClrGraph.Encode(instance) || (string)pair[1]! != ClrGraph.Encode(initConfig))
                {
                    failures.Add($"{what}: the check saw\n  {Shorten((string)pair[0]!)} / {Shorten((string)pair[1]!)}\nexpected\n  {Shorten(ClrGraph.Encode(instance))} / {Shorten(ClrGraph.Encode(initConfig))}");
                }

                loaded++;
            }
            catch (CheckLoadException e)
            {
                failures.Add($"{what}: did not load: {e.Message}");
            }
        }

        Console.WriteLine($"seed {seed}: {configurations} configurations, {loaded} loaded and seen as converted, {refused} refused");
        Assert.That(failures, Is.Empty, $"seed {seed} ({SeedVariable}):\n{string.Join("\n", failures)}");
        Assert.That(loaded, Is.GreaterThan(configurations / 2), "most random configurations are valid");
    }

    private static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + $"…({text.Length} chars)";

    private static void FuzzAggregator() => Fuzz("AGGREGATOR_FUNCTIONS");

    private static void FuzzAgentCheck() => Fuzz("AGENT_CHECK_METHODS");

    private static void FuzzDatadogAgent() => Fuzz("DATADOG_AGENT_FUNCTIONS");

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

    internal static PyObject LoadDriver() => PyObject.CreateModule("boundary_fuzz", DriverSource());

    private static string DriverSource() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reliability", "boundary_fuzz.py"));

    private static void Fuzz(string functionList)
    {
        var (seed, iterations) = Settings();
        var folder = new CheckFolder().Check("fuzz", FuzzCheck).Config("fuzz", ConfiguredTagsYaml);
        var sender = new InMemorySender();
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var random = new Random(unchecked((int)seed));
        var agentConfig = new Dictionary<string, object?>(StringComparer.Ordinal);
        var expectedConfig = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < 40; i++)
        {
            object? value = ClrGraph.Value(random, 0);
            agentConfig["graph" + i] = value;
            expectedConfig["graph" + i] = ClrGraph.Depth(value) > MaxDepth ? "ValueError" : ClrGraph.Encode(value);
        }

        var contained = new List<object?> { "self" };
        contained.Add(contained);
        agentConfig["contains_itself"] = contained;
        expectedConfig["contains_itself"] = "ValueError";
        agentConfig["\ud800"] = "lone surrogate key";
        expectedConfig["\ud800"] = ClrGraph.Encode("lone surrogate key");
        var options = (PyChecksOptions o) =>
        {
            o.Hostname = "fuzz-host\u00e9";
            o.AgentVersion = "7.99.1";
            o.ClusterName = "";
            o.HostTags["system"] = ["env:fuzz", "role:\ud800"];
            foreach (var (key, value) in agentConfig)
            {
                o.AgentConfig.Values[key] = value;
            }
        };
        using var host = folder.Start([sender], options, loggerFactory);
        var check = CheckFolder.LoadAll(host).Single();
        var answers = new Dictionary<string, object?>
        {
            ["get_version"] = "7.99.1",
            ["get_hostname"] = "fuzz-host\u00e9",
            ["get_clustername"] = "",
            ["get_host_tags"] = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string[]> { ["system"] = ["env:fuzz", "role:\ud800"] }),
            ["tracemalloc_enabled"] = false,
            ["config"] = expectedConfig,
        };
        var failures = new List<string>();
        var counts = new Dictionary<string, (int Ok, int Raised)>(StringComparer.Ordinal);
        using (var gil = host.Runtime.AcquireGil())
        {
            using var driver = LoadDriver();
            using var fuzzerType = driver.GetAttr("Fuzzer");
            using var seedObject = PyObject.From(seed);
            using var idObject = PyObject.From(check.Id);
            using var tagsObject = PyObject.FromClr(ConfiguredTags);
            using var answersObject = PyObject.FromClr(answers);
            using var fuzzer = fuzzerType.Call(seedObject, idObject, tagsObject, answersObject);
            using var step = fuzzer.GetAttr("step");
            using var functionsObject = driver.GetAttr(functionList);
            string[] functions = ((object?[])functionsObject.ToClr()!).Cast<string>().ToArray();
            foreach (string function in functions)
            {
                using var name = PyObject.From(function);
                int ok = 0, raised = 0;
                for (int i = 0; i < iterations && failures.Count < 12; i++)
                {
                    sender.Clear();
                    _ = logs.Take(); // only what this call logs counts
                    using var result = step.Call(name);
                    object?[] parts = (object?[])result.ToClr()!;
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
                    foreach (object? sample in (List<object?>)parts[2]!)
                    {
                        // What datadog_agent.log and set_check_metadata predict is checked where it lands.
                        if (sample is object?[] { Length: > 0 } p && p[0] is "log")
                        {
                            received.AddRange(logs.Take().Select(e => Format(new object?[] { "log", e.Category, e.Level.ToString(), e.Message })));
                        }
                        else if (sample is object?[] { Length: 3 } m && m[0] is "metadata")
                        {
                            received.Add(Format(new object?[] { "metadata", m[1], check.Metadata.GetValueOrDefault((string)m[1]!) }));
                        }
                    }

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
            received.Add(Format(new object?[] { "metric", (long)m.Type, m.Name, m.Value, m.Tags.ToList<object?>(), m.Hostname, m.FlushFirstValue }));
        }

        foreach (var s in sender.ServiceChecks)
        {
            received.Add(Format(new object?[] { "service_check", s.Name, (long)s.Status, s.Tags.ToList<object?>(), s.Hostname, s.Message }));
        }

        foreach (var e in sender.Events)
        {
            received.Add(Format(new object?[] { "event", e.Title, e.Text, e.Timestamp, e.Priority, e.Host, e.AlertType, e.AggregationKey, e.SourceTypeName, e.EventType, e.Tags.ToList<object?>() }));
        }

        foreach (var b in sender.HistogramBuckets)
        {
            received.Add(Format(new object?[] { "bucket", b.Name, b.Value, b.LowerBound, b.UpperBound, b.Monotonic, b.Hostname, b.Tags.ToList<object?>() }));
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
