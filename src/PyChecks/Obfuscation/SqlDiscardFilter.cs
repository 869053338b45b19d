namespace PyChecks.Obfuscation;

/// <summary>Drops what obfuscated statements leave out: comments, semicolons and <c>AS alias</c> (unless aliases are kept).</summary>
internal sealed class SqlDiscardFilter(bool keepSqlAlias)
{
    /// <summary>Filters one token; a null <paramref name="buffer"/> afterwards drops it. False, with <paramref name="error"/>, on a malformed bracketed alias.</summary>
    public bool Filter(ref SqlTokenKind token, SqlTokenKind lastToken, ref ReadOnlyMemory<byte>? buffer, out string? error)
    {
        error = null;
        if (lastToken == SqlTokenKind.FilteredBracketedIdentifier && token != (SqlTokenKind)']')
        {
            // Inside an alias in brackets (AS [my alias]): only identifiers may come before the closing bracket.
            if (token != SqlTokenKind.Id)
            {
                error = $"expected identifier in bracketed filter, got {(int)token}";
                token = SqlTokenKind.LexError;
                buffer = null;
                return false;
            }

            token = SqlTokenKind.FilteredBracketedIdentifier;
            buffer = null;
            return true;
        }

        if (lastToken is SqlTokenKind.FilteredBracketedIdentifier or SqlTokenKind.As)
        {
            if (token == (SqlTokenKind)'[')
            {
                token = SqlTokenKind.FilteredBracketedIdentifier;
                buffer = null;
            }
            else if (!keepSqlAlias)
            {
                token = SqlTokenKind.Filtered;
                buffer = null;
            }

            return true;
        }

        switch (token)
        {
            case SqlTokenKind.Comment:
                token = SqlTokenKind.Filtered;
                buffer = null;
                break;
            case (SqlTokenKind)';':
                token = SqlGroupingFilter.MarkFilteredGroupable(token);
                buffer = null;
                break;
            case SqlTokenKind.As when !keepSqlAlias:
                buffer = null;
                break;
        }

        return true;
    }
}
