using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>An obfuscated statement and what was collected from it.</summary>
internal sealed record ObfuscatedSql(string Query, SqlMetadata Metadata)
{
    /// <summary>
    /// The JSON the Agent answers with <c>return_json_metadata</c>:
    /// <c>{"query":…,"metadata":{"Size":…,"tables_csv":…,"commands":…,"comments":…,"procedures":…}}</c>,
    /// encoded as Go encodes it (HTML characters escaped, absent lists as <c>null</c>).
    /// </summary>
    public string ToJson()
    {
        var json = new StringBuilder(Query.Length + 96);
        json.Append("{\"query\":");
        GoJson.AppendString(json, Query);
        json.Append(",\"metadata\":{\"Size\":").Append(Metadata.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.Append(",\"tables_csv\":");
        GoJson.AppendString(json, Metadata.TablesCsv);
        AppendList(json, "commands", Metadata.Commands);
        AppendList(json, "comments", Metadata.Comments);
        AppendList(json, "procedures", Metadata.Procedures);
        return json.Append("}}").ToString();
    }

    private static void AppendList(StringBuilder json, string name, IReadOnlyList<string>? values)
    {
        json.Append(",\"").Append(name).Append("\":");
        if (values is null)
        {
            json.Append("null");
            return;
        }

        json.Append('[');
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                json.Append(',');
            }

            GoJson.AppendString(json, values[i]);
        }

        json.Append(']');
    }
}
