using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PyChecks.Tool.Json;

/// <summary>
/// The tool's JSON, generated at build time, with the control API's conventions: camelCase members, nulls left out,
/// durations in seconds (<c>…Seconds</c>), instants ISO-8601, and NaN/±Infinity as the strings <c>"NaN"</c>,
/// <c>"Infinity"</c>, <c>"-Infinity"</c>.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(CheckCommandReport))]
[JsonSerializable(typeof(string))]
internal sealed partial class ToolJsonContext : JsonSerializerContext
{
    /// <summary>The context the tool writes with: only what JSON requires is escaped, so that tracebacks (<c>&lt;module&gt;</c>) stay readable.</summary>
    public static ToolJsonContext Tool => s_tool ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static ToolJsonContext? s_tool;
}
