using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace PyChecks.Checks.Configuration;

/// <summary>
/// Check ids: <c>name:&lt;digest&gt;</c> or <c>name:&lt;instance name&gt;:&lt;digest&gt;</c>, as the Datadog Agent builds
/// them. The digest is FNV-1a 64 over a canonical text of the instance and <c>init_config</c> (keys sorted
/// ordinally, every value tagged with its type, numbers in the invariant culture), so an id survives restarts
/// and key reordering, and changes whenever a value or its type does.
/// </summary>
internal static class CheckIdentity
{
    // Far beyond any configuration; reached only by a structure given in code that contains itself.
    internal const int MaxDepth = Interop.ConversionLimits.MaxDepth;

    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>The check id of one instance of <paramref name="checkName"/>.</summary>
    /// <exception cref="ArgumentException">A value nests deeper than 200 levels (a structure that contains itself).</exception>
    public static string ComputeCheckId(string checkName, IReadOnlyDictionary<string, object?> instance, IReadOnlyDictionary<string, object?> initConfig)
    {
        var canonical = new StringBuilder();
        canonical.Append("instance=");
        AppendValue(canonical, instance, depth: 0);
        canonical.Append("init_config=");
        AppendValue(canonical, initConfig, depth: 0);
        string digest = Fnv1a64(Encoding.UTF8.GetBytes(canonical.ToString())).ToString("x16", CultureInfo.InvariantCulture);
        return instance.TryGetValue("name", out object? name) && name is string { Length: > 0 } instanceName
            ? $"{checkName}:{instanceName}:{digest}"
            : $"{checkName}:{digest}";
    }

    internal static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        ulong hash = FnvOffsetBasis;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return hash;
    }

    // Strings are length-prefixed and numbers ';'-terminated, so no two different values share a text.
    private static void AppendValue(StringBuilder text, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"the configuration nests deeper than {MaxDepth} levels; does a list or mapping contain itself?", nameof(value));
        }

        switch (value)
        {
            case null:
                text.Append('~');
                break;
            case string s:
                AppendString(text, 's', s);
                break;
            case char c:
                AppendString(text, 's', c.ToString());
                break;
            case bool b:
                text.Append(b ? "b1" : "b0");
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or Int128 or UInt128:
                text.Append('i').Append(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture)).Append(';');
                break;
            case float or double:
                double real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                text.Append('f').Append(real.ToString("R", CultureInfo.InvariantCulture)).Append(';');
                break;
            case decimal m:
                text.Append('d').Append(m.ToString(CultureInfo.InvariantCulture)).Append(';');
                break;
            case IDictionary map:
                AppendMapping(text, map.Keys.Cast<object?>().Select(k => (Key(k), map[k!])), depth);
                break;
            case IReadOnlyDictionary<string, object?> map:
                AppendMapping(text, map.Select(e => (e.Key, e.Value)), depth);
                break;
            case System.Runtime.CompilerServices.ITuple tuple:
                text.Append('(');
                for (int i = 0; i < tuple.Length; i++)
                {
                    AppendValue(text, tuple[i], depth + 1);
                }

                text.Append(')');
                break;
            case IEnumerable items:
                text.Append('[');
                foreach (object? item in items)
                {
                    AppendValue(text, item, depth + 1);
                }

                text.Append(']');
                break;
            default:
                text.Append('o').Append(value.GetType().FullName).Append(':');
                AppendString(text, 's', Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                break;
        }
    }

    private static void AppendMapping(StringBuilder text, IEnumerable<(string Key, object? Value)> entries, int depth)
    {
        text.Append('{');
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            AppendString(text, 'k', key);
            AppendValue(text, value, depth + 1);
        }

        text.Append('}');
    }

    private static void AppendString(StringBuilder text, char tag, string s)
        => text.Append(tag).Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s);

    private static string Key(object? key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
}
