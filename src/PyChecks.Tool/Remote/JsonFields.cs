using System.Globalization;
using System.Text.Json;

namespace PyChecks.Tool.Remote;

/// <summary>Reading the control API's answers: members that may be absent, numbers and lists as the tool shows them.</summary>
internal static class JsonFields
{
    /// <summary>A string member, or <paramref name="otherwise"/> when it is absent or null.</summary>
    public static string Text(this JsonElement json, string name, string otherwise = "") =>
        json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
            : otherwise;

    /// <summary>A number member, or null.</summary>
    public static double? Number(this JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>A whole number member as text, or <c>-</c>.</summary>
    public static string Count(this JsonElement json, string name) =>
        json.Number(name) is { } n ? n.ToString("0", CultureInfo.InvariantCulture) : "-";

    /// <summary>A boolean member; false when absent.</summary>
    public static bool Flag(this JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>An array member's items; none when absent.</summary>
    public static IEnumerable<JsonElement> Items(this JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    /// <summary>An array of strings, joined with <c>, </c>.</summary>
    public static string Joined(this JsonElement json, string name) => string.Join(", ", json.Items(name).Select(i => i.GetString()));

    /// <summary>Seconds as people read them: <c>0.8 ms</c>, <c>1.25 s</c>, <c>3 min 20 s</c>.</summary>
    public static string Duration(double? seconds) => seconds switch
    {
        null => "-",
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:0.#} ms"),
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.##} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds.Value / 60):0} min {seconds % 60:0} s"),
    };

    /// <summary>A byte count: <c>5307 B</c>, <c>12.3 KiB</c>, <c>4.5 MiB</c>.</summary>
    public static string Bytes(double? bytes) => bytes switch
    {
        null => "-",
        < 10 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
        < 10 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):0.#} MiB"),
    };
}
