using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>
/// Obfuscates JSON as the Agent does for MongoDB commands and SQL execution plans: every literal value becomes
/// <c>"?"</c>, but the values of the kept keys (and everything under them), and the string values of the SQL keys,
/// which are obfuscated as SQL. On invalid JSON it answers what it did so far followed by <c>...</c>, with the error.
/// </summary>
internal sealed class JsonObfuscator
{
    /// <summary>What the Agent writes in place of an SQL value it cannot obfuscate.</summary>
    internal const string SqlFailure = "Datadog-agent failed to obfuscate SQL string. Enable agent debug logs for more info.";

    private readonly HashSet<string> _keep;
    private readonly HashSet<string> _sql;
    private readonly SqlObfuscator? _sqlObfuscator;

    public JsonObfuscator(IEnumerable<string> keepValues, IEnumerable<string> obfuscateSqlValues, SqlObfuscator sqlObfuscator)
    {
        _keep = new HashSet<string>(keepValues, StringComparer.Ordinal);
        _sql = new HashSet<string>(obfuscateSqlValues, StringComparer.Ordinal);
        _sqlObfuscator = _sql.Count > 0 ? sqlObfuscator : null;
    }

    /// <summary>Obfuscates <paramref name="json"/>; <paramref name="error"/> is the JSON syntax error, if any.</summary>
    public string Obfuscate(string json, out string? error)
    {
        error = null;
        if (json.Length == 0)
        {
            return string.Empty;
        }

        byte[] data = Encoding.UTF8.GetBytes(json);
        var output = new List<byte>(data.Length);
        var token = new List<byte>();  // the key, or the SQL value, being read
        var closures = new List<bool>(); // true for an object, false for an array
        var scanner = new JsonScanner(multipleValues: true);
        bool key = false, wiped = false, keeping = false, transforming = false;
        int keepDepth = 0;

        void SetKey()
        {
            key = closures.Count == 0 || closures[^1]; // at the top level or in an object
            wiped = false;
        }

        foreach (byte c in data)
        {
            var op = scanner.Step(c);
            int depth = closures.Count;
            switch (op)
            {
                case JsonScanOp.BeginObject or JsonScanOp.BeginArray:
                    closures.Add(op == JsonScanOp.BeginObject);
                    SetKey();
                    transforming = false;
                    break;
                case JsonScanOp.EndArray or JsonScanOp.EndObject or JsonScanOp.ObjectValue or JsonScanOp.ArrayValue:
                    if (op is JsonScanOp.EndArray or JsonScanOp.EndObject && closures.Count > 1)
                    {
                        closures.RemoveAt(closures.Count - 1); // the outermost closure stays, as in the Agent
                    }

                    SetKey();
                    if (transforming && _sqlObfuscator is not null)
                    {
                        string raw = Encoding.UTF8.GetString([.. token]);
                        output.Add((byte)'"');
                        output.AddRange(Encoding.UTF8.GetBytes(ObfuscateSql(GoUnquote.TryUnquote(raw) ?? raw)));
                        output.Add((byte)'"');
                        transforming = false;
                        token.Clear();
                    }
                    else if (keeping && depth < keepDepth)
                    {
                        keeping = false;
                    }

                    break;
                case JsonScanOp.BeginLiteral or JsonScanOp.Continue:
                    if (transforming)
                    {
                        token.Add(c);
                        continue;
                    }

                    if (key)
                    {
                        token.Add(c);
                    }
                    else if (!keeping)
                    {
                        if (!wiped)
                        {
                            output.AddRange("\"?\""u8);
                            wiped = true;
                        }

                        continue;
                    }

                    break;
                case JsonScanOp.ObjectKey:
                    string name = Encoding.UTF8.GetString([.. token]).Trim('"');
                    if (!keeping && _keep.Contains(name))
                    {
                        keeping = true;
                        keepDepth = depth + 1;
                    }
                    else if (!transforming && _sqlObfuscator is not null && _sql.Contains(name))
                    {
                        // The string value right after this key is obfuscated as SQL; anything else is obfuscated as JSON.
                        transforming = true;
                    }

                    token.Clear();
                    key = false;
                    break;
                case JsonScanOp.SkipSpace:
                    continue;
                case JsonScanOp.Error:
                    error = scanner.Error;
                    return Finish(output, truncated: true);
            }

            output.Add(c);
        }

        if (scanner.Eof() == JsonScanOp.Error)
        {
            error = scanner.Error;
            return Finish(output, truncated: true);
        }

        return Finish(output, truncated: false);
    }

    private static string Finish(List<byte> output, bool truncated)
    {
        if (truncated)
        {
            output.AddRange("..."u8); // the input was cut short or invalid: what follows is unknown
        }

        return Encoding.UTF8.GetString([.. output]);
    }

    private string ObfuscateSql(string sql)
    {
        try
        {
            return _sqlObfuscator!.Obfuscate(sql, SqlObfuscationOptions.Default).Query;
        }
        catch (ObfuscationException)
        {
            return SqlFailure;
        }
    }
}
