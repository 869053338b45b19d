using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Telemetry;

namespace PyChecks.Tests.Hosting;

/// <summary>
/// The catalogue of event ids (<see cref="EventIds"/>) and instrument names (<see cref="PyChecksTelemetry"/>) against the
/// assembly's <c>[LoggerMessage]</c>s and <c>docs/telemetry.md</c>: hosts filter on these, so each is listed once and documented.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class TelemetryCatalogueTests
{
    [Test]
    public void EveryLoggerMessage_TakesADistinctIdFromTheCatalogue()
    {
        var catalogue = CatalogueIds();
        var messages = LoggerMessages();

        Assert.That(catalogue.Values, Is.Unique, "the catalogue gives each event its own id");
        Assert.Multiple(() =>
        {
            foreach (var (method, id) in messages)
            {
                Assert.That(catalogue.Values, Has.Member(id), $"{method} logs with id {id}, which EventIds does not list");
            }

            foreach (var group in messages.GroupBy(static m => m.Id).Where(static g => g.Count() > 1))
            {
                Assert.Fail($"event id {group.Key} is used by {string.Join(", ", group.Select(static m => m.Method))}");
            }

            foreach (var (name, id) in catalogue)
            {
                Assert.That(messages.Select(static m => m.Id), Has.Member(id), $"EventIds.{name} ({id}) is used by no [LoggerMessage]");
            }
        });
        Assert.That(messages, Has.Count.EqualTo(catalogue.Count), "one [LoggerMessage] per catalogued id");
    }

    [Test]
    public void EveryLoggerMessage_NamesItsIdThroughTheCatalogue()
    {
        string source = Path.Combine(PackagingTests.RepositoryRoot(), "src", "PyChecks");
        var ids = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(static f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => LoggerMessageId().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(source, f), Id: m.Groups[1].Value)))
            .ToList();

        Assert.That(ids, Has.Count.EqualTo(LoggerMessages().Count), "every [LoggerMessage] of the assembly was found in the source");
        Assert.That(ids.Where(static i => !i.Id.StartsWith("EventIds.", StringComparison.Ordinal)).Select(static i => $"{i.File}: {i.Id}"), Is.Empty,
            "[LoggerMessage]s whose id is not an EventIds constant (a literal could reuse an id the catalogue gives elsewhere)");
    }

    [Test]
    public void TelemetryDoc_ListsEveryEventIdAndInstrumentName()
    {
        string doc = File.ReadAllText(Path.Combine(PackagingTests.RepositoryRoot(), "docs", "telemetry.md"));
        var documentedIds = TableRowId().Matches(doc).Select(static m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var names = typeof(PyChecksTelemetry).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(static f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(static f => (Field: f.Name, Value: (string)f.GetRawConstantValue()!))
            .ToList();

        Assert.That(names, Has.Count.GreaterThan(10), "PyChecksTelemetry's names were found");
        Assert.Multiple(() =>
        {
            foreach (var (name, id) in CatalogueIds())
            {
                Assert.That(documentedIds, Has.Member(id), $"docs/telemetry.md has no table row for event id {id} (EventIds.{name})");
            }

            foreach (var (field, value) in names)
            {
                Assert.That(doc, Does.Contain($"`{value}`"), $"docs/telemetry.md does not name {value} (PyChecksTelemetry.{field})");
            }
        });
    }

    /// <summary>The catalogue: each constant of <see cref="EventIds"/>, by name.</summary>
    private static Dictionary<string, int> CatalogueIds() =>
        typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(static f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(static f => f.Name, static f => (int)f.GetRawConstantValue()!);

    /// <summary>Every method of the PyChecks assembly that carries <see cref="LoggerMessageAttribute"/>, with its event id.</summary>
    private static List<(string Method, int Id)> LoggerMessages()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var found = typeof(ICheck).Assembly.GetTypes()
            .SelectMany(static t => t.GetMethods(all).Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>())))
            .Where(static m => m.Attribute is not null)
            .Select(static m => ($"{m.Method.DeclaringType!.FullName}.{m.Method.Name}", m.Attribute!.EventId))
            .ToList();
        Assert.That(found, Is.Not.Empty, "the assembly's [LoggerMessage]s were found");
        return found;
    }

    // The id of a [LoggerMessage], given positionally or as EventId = …: "[LoggerMessage(EventIds.RunFailed, …" or "[LoggerMessage(EventId = 300, …".
    [GeneratedRegex(@"\[LoggerMessage\((?:EventId\s*=\s*)?([^,)]+)")]
    private static partial Regex LoggerMessageId();

    // A row of a Markdown table whose first cell starts with an event id: "| 1012 | Error | …" or "| 200 (`PythonLog`) | …".
    [GeneratedRegex(@"^\| (\d+)\b[^|]*\|", RegexOptions.Multiline)]
    private static partial Regex TableRowId();
}
