using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PyChecks.AspNetCore.Json;
using PyChecks.Tool.Json;

namespace PyChecks.Tests.Docs;

/// <summary>
/// Compares a JSON document of the docs with the type the control API (or the pychecks tool) serializes (through its own serializer
/// context): every documented member exists, every member the API always writes is documented, nested objects and
/// array items alike. Values are not compared: the examples show one host's figures.
/// </summary>
internal static class JsonShape
{
    /// <summary>The differences between <paramref name="json"/> and the wire type named <paramref name="typeName"/>, one message each.</summary>
    public static IReadOnlyList<string> Differences(JsonElement json, string typeName)
    {
        // The pychecks tool's own documents (check --json) are written by its context; the API's by the API's.
        if (typeof(ToolJsonContext).Assembly.GetType($"{typeof(ToolJsonContext).Namespace}.{typeName}") is { } toolType)
        {
            var toolProblems = new List<string>();
            Compare(json, ToolJsonContext.Default.Options.GetTypeInfo(toolType), "$", toolProblems);
            return toolProblems;
        }

        var type = typeof(ApiJsonContext).Assembly.GetType($"{typeof(ApiJsonContext).Namespace}.{typeName}")
            ?? typeof(PyChecksOptions).Assembly.GetType($"PyChecks.{typeName}")
            ?? throw new InvalidOperationException($"no wire type {typeName} in PyChecks.AspNetCore.Json, PyChecks.Tool.Json or PyChecks");
        var problems = new List<string>();
        Compare(json, ApiJsonContext.Default.Options.GetTypeInfo(type), "$", problems);
        return problems;
    }

    private static void Compare(JsonElement json, JsonTypeInfo info, string path, List<string> problems)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when json.ValueKind == JsonValueKind.Object:
                var properties = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
                foreach (var member in json.EnumerateObject())
                {
                    if (!properties.TryGetValue(member.Name, out var property))
                    {
                        problems.Add($"{path}.{member.Name}: not a member of {info.Type.Name} ({string.Join(", ", properties.Keys)})");
                    }
                    else if (member.Value.ValueKind == JsonValueKind.Null)
                    {
                        if (!IsNullable(property))
                        {
                            problems.Add($"{path}.{member.Name}: null, but {info.Type.Name}.{property.Name} is never null");
                        }
                    }
                    else
                    {
                        Compare(member.Value, info.Options.GetTypeInfo(property.PropertyType), $"{path}.{member.Name}", problems);
                    }
                }

                foreach (var property in info.Properties.Where(p => !IsNullable(p) && !json.TryGetProperty(p.Name, out _)))
                {
                    problems.Add($"{path}: {info.Type.Name} always has '{property.Name}', the example lacks it");
                }

                break;
            case JsonTypeInfoKind.Enumerable when json.ValueKind == JsonValueKind.Array:
                var items = info.Options.GetTypeInfo(info.ElementType!);
                int i = 0;
                foreach (var item in json.EnumerateArray())
                {
                    Compare(item, items, $"{path}[{i++}]", problems);
                }

                break;
            case JsonTypeInfoKind.None:
                break; // a value: its figures are the example's
            default:
                problems.Add($"{path}: a {json.ValueKind}, but {info.Type.Name} is written as a JSON {info.Kind}");
                break;
        }
    }

    private static bool IsNullable(JsonPropertyInfo property) =>
        property.IsGetNullable && (!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null);
}
