using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PyChecks.Checks.Configuration;

/// <summary>
/// Gives a YAML scalar the type a Datadog user expects: the YAML 1.1 rules of PyYAML (what checks see in the
/// Agent), widened by the number forms the Agent's Go parser also accepts (<c>0o17</c>, <c>1e3</c>, <c>-.5</c>).
/// Plain scalars only are typed; a quoted or block scalar, or one tagged <c>!</c>, is a string.
/// </summary>
internal static partial class YamlScalarTyping
{
    private const string CoreTag = "tag:yaml.org,2002:";

    /// <summary>Types <paramref name="scalar"/>; throws <see cref="YamlException"/> for a tag PyChecks does not read.</summary>
    public static object? Resolve(Scalar scalar)
    {
        var tag = scalar.Tag;
        if (tag.IsEmpty)
        {
            return scalar.Style == ScalarStyle.Plain ? ResolvePlain(scalar.Value) : scalar.Value;
        }

        if (tag.IsNonSpecific)
        {
            return scalar.Value;
        }

        string text = scalar.Value;
        return tag.Value switch
        {
            CoreTag + "str" => text,
            CoreTag + "null" => null,
            CoreTag + "bool" => TryParseBool(text, out bool flag) ? flag : throw NotA(scalar, "bool"),
            CoreTag + "int" => TryParseInteger(text, out object integer) ? integer : throw NotA(scalar, "int"),
            CoreTag + "float" => TryParseFloat(text, out double real) ? real
                : TryParseInteger(text, out object whole) ? (whole is long l ? l : (double)(BigInteger)whole)
                : throw NotA(scalar, "float"),
            _ => throw new YamlException(
                scalar.Start,
                scalar.End,
                $"unsupported tag '{tag.Value}'; configuration values are strings, numbers, booleans, null, lists and mappings"),
        };
    }

    /// <summary>Types the text of a plain (unquoted) scalar.</summary>
    public static object? ResolvePlain(string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (TryParseBool(text, out bool flag))
        {
            return flag;
        }

        if (TryParseInteger(text, out object integer))
        {
            return integer;
        }

        return TryParseFloat(text, out double real) ? real : text;
    }

    // PyYAML's spellings: lower, Capitalized or UPPER; 'tRue' stays a string there, so it does here.
    private static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                value = true;
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Decimal, <c>0x</c> hex, <c>0o</c> or leading-zero octal, <c>0b</c> binary, with <c>_</c> separators.
    /// <paramref name="value"/> is a <see cref="long"/>, or a <see cref="BigInteger"/> beyond its range: Python's int
    /// has no limit and the interop turns a BigInteger into one, where a double would round and a string would
    /// change the type the check sees.
    /// </summary>
    private static bool TryParseInteger(string text, out object value)
    {
        value = text;
        if (!IntegerPattern().IsMatch(text))
        {
            return false;
        }

        bool negative = text[0] == '-';
        string body = text.TrimStart('-', '+').Replace("_", string.Empty, StringComparison.Ordinal);
        (int radix, string digits) = body switch
        {
            ['0', 'x', .. var rest] => (16, rest),
            ['0', 'o', .. var rest] => (8, rest),
            ['0', 'b', .. var rest] => (2, rest),
            ['0', _, ..] => (8, body[1..]),
            _ => (10, body),
        };
        if (digits.Length == 0)
        {
            // '0x_': the pattern allows separators alone, but there is no number in it.
            return false;
        }

        var magnitude = BigInteger.Zero;
        foreach (char c in digits)
        {
            magnitude = (magnitude * radix) + HexDigit(c);
        }

        var signed = negative ? -magnitude : magnitude;
        value = signed >= long.MinValue && signed <= long.MaxValue ? (long)signed : (object)signed;
        return true;
    }

    private static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        if (InfinityPattern().IsMatch(text))
        {
            value = text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (text is ".nan" or ".NaN" or ".NAN")
        {
            value = double.NaN;
            return true;
        }

        // The pattern admits '123' too; integers were tried first, and '08' or '0b2' must stay strings.
        return FloatPattern().IsMatch(text)
            && text.AsSpan().IndexOfAny(".eE") >= 0
            && double.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static int HexDigit(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static YamlException NotA(Scalar scalar, string type)
        => new(scalar.Start, scalar.End, $"'{scalar.Value}' is tagged !!{type} but is not a YAML {type}");

    [GeneratedRegex("^[-+]?(?:0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^[-+]?\.(?:inf|Inf|INF)$", RegexOptions.CultureInvariant)]
    private static partial Regex InfinityPattern();
}
