using System.Globalization;
using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>Unquotes a double-quoted literal with Go's rules (<c>strconv.Unquote</c>), as the Agent does with JSON strings it obfuscates as SQL.</summary>
internal static class GoUnquote
{
    /// <summary>The unquoted text, or null where Go refuses it (then the Agent uses the literal as it is, quotes included).</summary>
    public static string? TryUnquote(string quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"')
        {
            return null;
        }

        var s = quoted.AsSpan(1, quoted.Length - 2);
        var result = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '"' or '\n')
            {
                return null;
            }

            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            if (++i >= s.Length)
            {
                return null;
            }

            switch (s[i])
            {
                case 'a': result.Append('\a'); break;
                case 'b': result.Append('\b'); break;
                case 'f': result.Append('\f'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 't': result.Append('\t'); break;
                case 'v': result.Append('\v'); break;
                case '\\': result.Append('\\'); break;
                case '"': result.Append('"'); break;
                case 'x' or 'u' or 'U':
                    int digits = s[i] == 'x' ? 2 : s[i] == 'u' ? 4 : 8;
                    if (s.Length - i - 1 < digits
                        || !int.TryParse(s.Slice(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
                    {
                        return null;
                    }

                    if (digits == 2)
                    {
                        result.Append((char)value); // a byte in Go; a Latin-1 character is the closest a str can hold
                    }
                    else if (Rune.IsValid(value))
                    {
                        result.Append(new Rune(value).ToString());
                    }
                    else
                    {
                        return null;
                    }

                    i += digits;
                    break;
                case >= '0' and <= '7':
                    if (s.Length - i < 3 || !IsOctal(s[i + 1]) || !IsOctal(s[i + 2]))
                    {
                        return null;
                    }

                    int octal = ((s[i] - '0') * 64) + ((s[i + 1] - '0') * 8) + (s[i + 2] - '0');
                    if (octal > 255)
                    {
                        return null;
                    }

                    result.Append((char)octal);
                    i += 2;
                    break;
                default:
                    return null; // \' and \/ among them: not escapes in Go's double-quoted strings
            }
        }

        return result.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
