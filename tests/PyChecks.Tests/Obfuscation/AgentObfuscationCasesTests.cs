using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PyChecks.Obfuscation;

namespace PyChecks.Tests.Obfuscation;

/// <summary>
/// The Datadog Agent's own obfuscator test cases (pkg/obfuscate: sql_test.go's tables and testdata/json_tests.xml,
/// kept as data next to this file with the commit they come from) run against PyChecks' obfuscator. Every case is
/// met; the go-sqllexer tables (obfuscation_mode) are not taken, as that obfuscator is refused by name.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class AgentObfuscationCasesTests
{
    public static IEnumerable<TestCaseData> SqlCases() => Load("agent-sql-cases.json")
        .Select((c, i) => new TestCaseData(c).SetName($"Sql_{c["group"]!.GetValue<string>().Replace('/', '_')}_{i:D3}"));

    public static IEnumerable<TestCaseData> JsonCases() => Load("agent-json-cases.json")
        .Select(c => new TestCaseData(c).SetName($"Json_{c["tag"]!.GetValue<string>()}"));

    [TestCaseSource(nameof(SqlCases))]
    public void SqlCase_ObfuscatesAsTheAgent(JsonObject c)
    {
        if (c["identifier"] is { } identifier)
        {
            byte[] replaced = SqlReplaceFilter.ReplaceDigits(Encoding.UTF8.GetBytes(identifier.GetValue<string>()));
            Assert.That(Encoding.UTF8.GetString(replaced), Is.EqualTo(c["expected"]!.GetValue<string>()));
            return;
        }

        byte[] query = c["queryHex"] is { } hex ? Convert.FromHexString(hex.GetValue<string>()) : Encoding.UTF8.GetBytes(c["query"]!.GetValue<string>());
        if (c["firstToken"] is JsonObject first)
        {
            var tokenizer = new SqlTokenizer(query, c["literalEscapes"]!.GetValue<bool>(), SqlObfuscationOptions.Default);
            var kind = tokenizer.Scan(out var text);
            Assert.That(kind.ToString(), Is.EqualTo(first["kind"]!.GetValue<string>()).IgnoreCase);
            Assert.That(Encoding.UTF8.GetString(text.Span), Is.EqualTo(first["text"]!.GetValue<string>()));
            return;
        }

        var options = SqlObfuscationOptionsReader.Read(c["options"]?.ToJsonString() ?? string.Empty, out string? optionsError);
        Assert.That(optionsError, Is.Null);
        var obfuscator = new SqlObfuscator(c["initialLiteralEscapes"]?.GetValue<bool>() ?? false);
        if (c["error"] is { } error)
        {
            var e = Assert.Throws<ObfuscationException>(() => obfuscator.Obfuscate(query, options))!;
            if (error.GetValue<string>().Length > 0)
            {
                Assert.That(e.Message, Is.EqualTo(error.GetValue<string>()));
            }
        }
        else
        {
            var result = obfuscator.Obfuscate(query, options);
            if (c["expected"] is { } expected)
            {
                Assert.That(result.Query, Is.EqualTo(expected.GetValue<string>()));
            }

            if (c["metadata"] is JsonObject metadata)
            {
                Assert.That(result.Metadata.TablesCsv, Is.EqualTo(metadata["tables"]!.GetValue<string>()));
                if (metadata.ContainsKey("commands"))
                {
                    Assert.That(result.Metadata.Commands, Is.EqualTo(Strings(metadata["commands"])));
                }

                if (metadata.ContainsKey("comments"))
                {
                    Assert.That(result.Metadata.Comments, Is.EqualTo(Strings(metadata["comments"])));
                }

                if (metadata["size"] is { } size)
                {
                    Assert.That(result.Metadata.Size, Is.EqualTo(size.GetValue<long>()));
                }
            }
        }

        if (c["finalLiteralEscapes"] is { } final)
        {
            Assert.That(obfuscator.LiteralEscapes, Is.EqualTo(final.GetValue<bool>()));
        }
    }

    [Test]
    public void JsonMetadata_IsEncodedAsGoEncodesIt()
    {
        var options = SqlObfuscationOptionsReader.Read("""{"TABLE_NAMES": true, "collect_commands": true, "unknown": 1}""", out string? error);
        string json = new SqlObfuscator().Obfuscate("SELECT a FROM t WHERE a < 3 AND b & 4 > 0", options).ToJson();
        Assert.That(error, Is.Null, "names match regardless of case; unknown names are ignored");
        Assert.That(json, Is.EqualTo("""{"query":"SELECT a FROM t WHERE a \u003c ? AND b \u0026 ? \u003e ?","metadata":{"Size":7,"tables_csv":"t","commands":["SELECT"],"comments":null,"procedures":null}}"""));
    }

    [TestCaseSource(nameof(JsonCases))]
    public void JsonCase_ObfuscatesAsTheAgent(JsonObject c)
    {
        var obfuscator = new JsonObfuscator(Strings(c["keepValues"])!, Strings(c["obfuscateSqlValues"])!, new SqlObfuscator());
        string output = obfuscator.Obfuscate(c["in"]!.GetValue<string>(), out string? error);
        Assert.That(error, Is.Null);
        var actual = JsonNode.Parse(output);
        var expected = JsonNode.Parse(c["out"]!.GetValue<string>());
        Assert.That(JsonNode.DeepEquals(actual, expected), Is.True, $"obfuscated:\n{output}\nexpected:\n{expected}");
    }

    private static List<string>? Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private static IEnumerable<JsonObject> Load(string file)
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Obfuscation", file);
        var document = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        return document["cases"]!.AsArray().Select(n => n!.AsObject());
    }
}
