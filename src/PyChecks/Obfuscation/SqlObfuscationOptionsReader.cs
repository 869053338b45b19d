using System.Text;
using System.Text.Json;

namespace PyChecks.Obfuscation;

/// <summary>
/// Reads the options JSON of <c>datadog_agent.obfuscate_sql</c> as the Agent's Go reads it: names matched without
/// regard to case, unknown names ignored, <c>null</c> leaving a default, and Go's messages for what it refuses.
/// </summary>
internal static class SqlObfuscationOptionsReader
{
    private const string StructName = "sqlConfig";

    /// <summary>
    /// Reads <paramref name="json"/> (empty reads as <c>{}</c>). On a type error the other fields are still read, as in Go;
    /// <paramref name="error"/> is then the first error.
    /// </summary>
    public static SqlObfuscationOptions Read(string json, out string? error)
    {
        error = null;
        byte[] utf8 = Encoding.UTF8.GetBytes(json.Length == 0 ? "{}" : json);
        var scanner = new JsonScanner(multipleValues: false);
        foreach (byte b in utf8)
        {
            if (scanner.Step(b) == JsonScanOp.Error)
            {
                break;
            }
        }

        if (scanner.Eof() == JsonScanOp.Error)
        {
            error = scanner.Error;
            return SqlObfuscationOptions.Default;
        }

        using var document = JsonDocument.Parse(utf8);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return SqlObfuscationOptions.Default;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"json: cannot unmarshal {Kind(root)} into Go value of type python.{StructName}";
            return SqlObfuscationOptions.Default;
        }

        var options = SqlObfuscationOptions.Default;
        foreach (var property in root.EnumerateObject())
        {
            options = Apply(options, property, ref error);
        }

        return options;
    }

    private static SqlObfuscationOptions Apply(SqlObfuscationOptions o, JsonProperty property, ref string? error)
    {
        string name = property.Name.ToLowerInvariant();
        var value = property.Value;
        return name switch
        {
            "dbms" => String(name, value, "string", ref error) is { } s ? o with { Dbms = s } : o,
            "obfuscation_mode" => String(name, value, "obfuscate.ObfuscationMode", ref error) is { } s ? o with { ObfuscationMode = s } : o,
            "table_names" => Bool(name, value, ref error) is { } b ? o with { TableNames = b } : o,
            "collect_commands" => Bool(name, value, ref error) is { } b ? o with { CollectCommands = b } : o,
            "collect_comments" => Bool(name, value, ref error) is { } b ? o with { CollectComments = b } : o,
            "collect_procedures" => Bool(name, value, ref error) is { } b ? o with { CollectProcedures = b } : o,
            "replace_digits" => Bool(name, value, ref error) is { } b ? o with { ReplaceDigits = b } : o,
            "keep_sql_alias" => Bool(name, value, ref error) is { } b ? o with { KeepSqlAlias = b } : o,
            "dollar_quoted_func" => Bool(name, value, ref error) is { } b ? o with { DollarQuotedFunc = b } : o,
            "return_json_metadata" => Bool(name, value, ref error) is { } b ? o with { ReturnJsonMetadata = b } : o,
            "remove_space_between_parentheses" => Bool(name, value, ref error) is { } b ? o with { RemoveSpaceBetweenParentheses = b } : o,
            "keep_null" => Bool(name, value, ref error) is { } b ? o with { KeepNull = b } : o,
            "keep_boolean" => Bool(name, value, ref error) is { } b ? o with { KeepBoolean = b } : o,
            "keep_positional_parameter" => Bool(name, value, ref error) is { } b ? o with { KeepPositionalParameter = b } : o,
            "keep_trailing_semicolon" => Bool(name, value, ref error) is { } b ? o with { KeepTrailingSemicolon = b } : o,
            "keep_identifier_quotation" => Bool(name, value, ref error) is { } b ? o with { KeepIdentifierQuotation = b } : o,
            "keep_json_path" => Bool(name, value, ref error) is { } b ? o with { KeepJsonPath = b } : o,
            _ => o, // unknown names are ignored, as Go ignores them
        };
    }

    private static bool? Bool(string name, JsonElement value, ref string? error) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => TypeError<bool?>(name, value, "bool", ref error),
    };

    private static string? String(string name, JsonElement value, string goType, ref string? error) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => TypeError<string?>(name, value, goType, ref error),
    };

    private static T TypeError<T>(string name, JsonElement value, string goType, ref string? error)
    {
        error ??= $"json: cannot unmarshal {Kind(value)} into Go struct field {StructName}.{name} of type {goType}";
        return default!;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };
}
