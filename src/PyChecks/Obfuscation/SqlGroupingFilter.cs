namespace PyChecks.Obfuscation;

/// <summary>
/// Collapses what the replace filter left: <c>( ?, ?, ? )</c> becomes <c>( ? )</c> and <c>( ?, ? ), ( ?, ? )</c>
/// becomes <c>( ? )</c>, while a nested query inside the parentheses is kept.
/// </summary>
internal sealed class SqlGroupingFilter
{
    private static readonly byte[] s_openParenthesis = "( "u8.ToArray();
    private int _groupFilter; // values in the current group: 3 for ?, ?, ?
    private int _groupMulti;  // groups: 2 for (?, ?), (?, ?, ?)

    public SqlTokenKind Filter(SqlTokenKind token, SqlTokenKind lastToken, ref ReadOnlyMemory<byte>? buffer)
    {
        if ((lastToken == (SqlTokenKind)'(' && IsFilteredGroupable(token)) || (token == (SqlTokenKind)'(' && _groupMulti > 0))
        {
            _groupMulti++;
        }

        bool startsSubquery = token is SqlTokenKind.Select or SqlTokenKind.Delete or SqlTokenKind.Update or SqlTokenKind.Id;
        if (_groupMulti > 0 && lastToken == SqlTokenKind.FilteredGroupableParenthesis && startsSubquery)
        {
            // Not a group of values but a nested query: stop grouping and give back the parenthesis dropped for it.
            Reset();
            buffer = buffer is { } text ? (byte[])[.. s_openParenthesis, .. text.Span] : s_openParenthesis;
            return token;
        }

        if (IsFilteredGroupable(token))
        {
            if (++_groupFilter > 1)
            {
                buffer = null; // one '?' stands for the whole group
                return MarkFilteredGroupable(token);
            }
        }
        else if ((_groupFilter > 0 && token is (SqlTokenKind)',' or (SqlTokenKind)'?') || _groupMulti > 1)
        {
            buffer = null;
            return MarkFilteredGroupable(token);
        }
        else if (token is not ((SqlTokenKind)',' or (SqlTokenKind)'(' or (SqlTokenKind)')'))
        {
            Reset(); // out of the group
        }

        return token;
    }

    public static bool IsFilteredGroupable(SqlTokenKind token) =>
        token is SqlTokenKind.FilteredGroupable or SqlTokenKind.FilteredGroupableParenthesis;

    public static SqlTokenKind MarkFilteredGroupable(SqlTokenKind token) =>
        token == (SqlTokenKind)'(' ? SqlTokenKind.FilteredGroupableParenthesis : SqlTokenKind.FilteredGroupable;

    private void Reset()
    {
        _groupFilter = 0;
        _groupMulti = 0;
    }
}
