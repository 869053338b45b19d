using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// Random .NET configuration values (what <see cref="CheckConfig"/> may hold when given in code), and their canonical
/// text as the Python side should see them after conversion (<c>encode()</c> in <c>boundary_fuzz.py</c>).
/// </summary>
internal static class ClrGraph
{
    private static readonly string[] Texts =
    [
        "", "m", "env:prod", "caf\u00e9", "\U0001F600", "\ud800", "a\udcffb", "\udfff\ud800", "nul\0byte", "\0", "1.5", "true", "~", "- x",
    ];

    private static readonly double[] Doubles =
    [
        0.0, -0.0, 1.5, double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, double.MinValue, 2.2250738585072014e-308 / 3,
    ];

    private static readonly string Huge = new('h', 1 << 20);

    /// <summary>A random value; containers nest up to a few levels, and now and then much deeper or into themselves.</summary>
    public static object? Value(Random random, int depth)
    {
        int kind = random.Next(depth < 3 ? 24 : 16);
        return kind switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => random.NextInt64(long.MinValue, long.MaxValue),
            3 => new[] { 0L, 1L, -1L, long.MaxValue, long.MinValue }[random.Next(5)],
            4 => random.Next(),
            5 => (BigInteger)random.NextInt64() * (BigInteger)random.NextInt64() * (random.Next(2) == 0 ? 1 : -1),
            6 => random.Next(20) == 0 ? BigInteger.Pow(10, 5000) + 7 : (BigInteger)ulong.MaxValue + 1,
            7 => ulong.MaxValue,
            8 => Doubles[random.Next(Doubles.Length)],
            9 => random.NextDouble() * 1e9,
            10 => (float)random.NextDouble(),
            11 or 12 => Text(random),
            13 => random.Next(40) == 0 ? Huge : new string((char)random.Next(0xD800, 0xE000), 1),
            14 => (char)random.Next(0, 0x10000),
            15 => new byte[] { 0xff, 0x00, (byte)random.Next(256) },
            16 or 17 => Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, depth + 1)).ToList(),
            18 or 19 => Mapping(random, depth + 1),
            20 => Enumerable.Range(0, random.Next(3)).Select(_ => Value(random, depth + 1)).ToArray(),
            21 => (Value(random, depth + 1), Value(random, depth + 1)),
            22 => Deep(random.Next(150, 260), Value(random, 3)),
            _ => SelfContaining(random),
        };
    }

    /// <summary>A mapping with string keys (configuration keys are strings), never a reserved instance key.</summary>
    public static Dictionary<string, object?> Mapping(Random random, int depth)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = random.Next(5); i > 0; i--)
        {
            map["k" + Text(random)] = Value(random, depth + 1);
        }

        return map;
    }

    public static string Text(Random random)
    {
        if (random.Next(3) > 0)
        {
            return Texts[random.Next(Texts.Length)];
        }

        var text = new StringBuilder();
        for (int i = random.Next(1, 8); i > 0; i--)
        {
            text.Append(random.Next(5) switch
            {
                0 => ((char)random.Next(32, 127)).ToString(),
                1 => ((char)random.Next(0x80, 0x800)).ToString(),
                2 => ((char)random.Next(0xD800, 0xE000)).ToString(),
                3 => char.ConvertFromUtf32(random.Next(0x10000, 0x110000)),
                _ => "\0",
            });
        }

        return text.ToString();
    }

    private static object Deep(int levels, object? leaf)
    {
        object? value = leaf;
        for (int i = 0; i < levels; i++)
        {
            value = new List<object?> { value };
        }

        return value!;
    }

    private static object SelfContaining(Random random)
    {
        if (random.Next(2) == 0)
        {
            var list = new List<object?> { "before" };
            list.Add(list);
            return list;
        }

        var map = new Dictionary<string, object?> { ["k"] = "v" };
        map["self"] = new List<object?> { map };
        return map;
    }

    /// <summary>The depth of the deepest value (the root is 0), as the configuration limit counts it; <see cref="int.MaxValue"/> for a value that contains itself.</summary>
    public static int Depth(object? value) => Depth(value, 0, new HashSet<object>(ReferenceEqualityComparer.Instance));

    private static int Depth(object? value, int depth, HashSet<object> path)
    {
        var children = Children(value);
        if (children is null)
        {
            return depth;
        }

        if (!path.Add(value!))
        {
            return int.MaxValue;
        }

        int deepest = depth;
        foreach (object? child in children)
        {
            int d = Depth(child, depth + 1, path);
            deepest = Math.Max(deepest, d);
            if (d == int.MaxValue)
            {
                break;
            }
        }

        path.Remove(value!);
        return deepest;
    }

    private static IEnumerable<object?>? Children(object? value) => value switch
    {
        null or string or byte[] => null,
        IDictionary map => map.Values.Cast<object?>(),
        ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => tuple[i]),
        IEnumerable items => items.Cast<object?>(),
        _ => null,
    };

    /// <summary>
    /// The canonical text of <paramref name="value"/> once in Python, by the documented conversion: <c>None</c>, <c>bool</c>,
    /// <c>int</c> (every integer type), <c>float</c> (double, float, decimal), <c>str</c> (string, char, lone surrogates
    /// kept), <c>bytes</c>, <c>dict</c> in enumeration order, <c>tuple</c> (an <see cref="ITuple"/>), <c>list</c>.
    /// </summary>
    public static string Encode(object? value)
    {
        var text = new StringBuilder();
        Encode(text, value);
        return text.ToString();
    }

    private static void Encode(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append('~');
                break;
            case bool b:
                text.Append(b ? "b1" : "b0");
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger:
                var big = value is BigInteger bi ? bi : BigInteger.Parse(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                string hex = BigInteger.Abs(big).ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
                text.Append('i').Append(big.Sign < 0 ? "-" : string.Empty).Append(hex.Length == 0 ? "0" : hex).Append(';');
                break;
            case double or float or decimal:
                double real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                text.Append('f').Append(Convert.ToHexStringLower(BitConverter.GetBytes(real))).Append(';');
                break;
            case string s:
                text.Append('s').Append(Convert.ToHexStringLower(MemoryMarshalBytes(s))).Append(';');
                break;
            case char c:
                text.Append('s').Append(Convert.ToHexStringLower(MemoryMarshalBytes(c.ToString()))).Append(';');
                break;
            case byte[] bytes:
                text.Append('y').Append(Convert.ToHexStringLower(bytes)).Append(';');
                break;
            case IDictionary map:
                text.Append('{');
                foreach (DictionaryEntry entry in map)
                {
                    Encode(text, entry.Key);
                    Encode(text, entry.Value);
                }

                text.Append('}');
                break;
            case ITuple tuple:
                text.Append('(');
                for (int i = 0; i < tuple.Length; i++)
                {
                    Encode(text, tuple[i]);
                }

                text.Append(')');
                break;
            case IEnumerable items:
                text.Append('[');
                foreach (object? item in items)
                {
                    Encode(text, item);
                }

                text.Append(']');
                break;
            default:
                text.Append('?').Append(value.GetType().Name).Append(';');
                break;
        }
    }

    private static byte[] MemoryMarshalBytes(string s) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.AsSpan()).ToArray();
}
