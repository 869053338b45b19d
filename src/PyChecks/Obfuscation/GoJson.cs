using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>
/// JSON strings as the Agent's Go writes and reads them, so that what checks receive is what the Agent gives them:
/// Go escapes <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and U+2029, and unquotes with Go's rules.
/// </summary>
internal static class GoJson
{
    private const string Hex = "0123456789abcdef";

    /// <summary>Appends <paramref name="value"/> as a quoted JSON string, escaped as Go's <c>encoding/json</c> escapes it.</summary>
    public static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    json.Append("\\u").Append(Hex[c >> 12]).Append(Hex[(c >> 8) & 0xF]).Append(Hex[(c >> 4) & 0xF]).Append(Hex[c & 0xF]);
                    break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }
}
