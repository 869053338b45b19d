namespace PyChecks.Obfuscation;

/// <summary>Replaces literals (strings, numbers, NULL, booleans, parameters) with <c>?</c>, and digits in identifiers when asked.</summary>
internal sealed class SqlReplaceFilter(bool replaceDigits)
{
    private static readonly ReadOnlyMemory<byte> s_questionMark = "?"u8.ToArray();

    public SqlTokenKind Filter(SqlTokenKind token, SqlTokenKind lastToken, ref ReadOnlyMemory<byte>? buffer)
    {
        if (lastToken == SqlTokenKind.Savepoint || (lastToken == (SqlTokenKind)'=' && token == SqlTokenKind.DoubleQuotedString))
        {
            // SAVEPOINT name; and a double-quoted string assigned (SET a = "value") is a value, not an identifier.
            buffer = s_questionMark;
            return SqlGroupingFilter.MarkFilteredGroupable(token);
        }

        switch (token)
        {
            case SqlTokenKind.DollarQuotedString or SqlTokenKind.String or SqlTokenKind.Number or SqlTokenKind.Null
                or SqlTokenKind.Variable or SqlTokenKind.PreparedStatement or SqlTokenKind.BooleanLiteral
                or SqlTokenKind.EscapeSequence or (SqlTokenKind)'?':
                // '?' too, so that ARRAY [ ?, ? ] collapses into ARRAY [ ? ].
                buffer = s_questionMark;
                return SqlGroupingFilter.MarkFilteredGroupable(token);
            case SqlTokenKind.TableName or SqlTokenKind.Id when replaceDigits && buffer is { } text:
                buffer = ReplaceDigits(text.Span);
                return token;
            default:
                return token;
        }
    }

    /// <summary>Each run of ASCII digits becomes one <c>?</c>: <c>jobs_2020_1597876964</c> is <c>jobs_?_?</c>.</summary>
    public static byte[] ReplaceDigits(ReadOnlySpan<byte> text)
    {
        var result = new List<byte>(text.Length);
        bool inDigits = false;
        foreach (byte b in text)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                if (!inDigits)
                {
                    result.Add((byte)'?');
                    inDigits = true;
                }

                continue;
            }

            inDigits = false;
            result.Add(b);
        }

        return [.. result];
    }
}
