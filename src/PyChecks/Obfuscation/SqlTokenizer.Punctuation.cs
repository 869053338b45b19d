namespace PyChecks.Obfuscation;

/// <summary>The tokens that start with a character other than a letter or a digit: operators, strings, comments, parameters.</summary>
internal sealed partial class SqlTokenizer
{
    /// <summary>Scans the token that starts with <paramref name="ch"/>, already read; <see cref="_lastChar"/> is the one after it.</summary>
    private SqlTokenKind ScanPunctuation(int ch, out ReadOnlyMemory<byte> text)
    {
        switch (ch)
        {
            case EndChar:
                text = default;
                return Error is null ? SqlTokenKind.EndChar : SqlTokenKind.LexError;
            case ':':
                if (_lastChar == ':')
                {
                    return Fixed(SqlTokenKind.ColonCast, "::", out text);
                }

                if (IsSpace(_lastChar))
                {
                    return Single(ch, out text); // "autovacuum: VACUUM ANALYZE fake.table"
                }

                return _lastChar != '=' ? ScanBindVar(out text) : Tilde(ch, out text);
            case '~':
                return Tilde(ch, out text);
            case '?':
                if (IsPostgres)
                {
                    return _lastChar switch
                    {
                        '|' => Fixed(SqlTokenKind.JsonAnyKeysExist, "?|", out text),
                        '&' => Fixed(SqlTokenKind.JsonAllKeysExist, "?&", out text),
                        _ => Named(SqlTokenKind.JsonKeyExists, out text),
                    };
                }

                return Single(ch, out text);
            case '=' or ',' or ';' or '(' or ')' or '+' or '*' or '&' or '|' or '^' or ']':
                return Single(ch, out text);
            case '[':
                return IsSqlServer ? ScanString(']', SqlTokenKind.DoubleQuotedString, out text) : Single(ch, out text);
            case '.':
                return IsDigit(_lastChar) ? ScanNumber(true, out text) : Single(ch, out text);
            case '/':
                switch (_lastChar)
                {
                    case '/':
                        Advance();
                        return ScanCommentType1(out text);
                    case '*':
                        Advance();
                        return ScanCommentType2(out text);
                    default:
                        return Single(ch, out text);
                }

            case '-':
                return Minus(ch, out text);
            case '#':
                return Hash(ch, out text);
            case '<':
                switch (_lastChar)
                {
                    case '>':
                        return Fixed(SqlTokenKind.NE, "<>", out text);
                    case '=':
                        Advance();
                        return _lastChar == '>' ? Fixed(SqlTokenKind.NullSafeEqual, "<=>", out text) : Constant(SqlTokenKind.LE, "<=", out text);
                    case '@' when IsPostgres:
                        return Fixed(SqlTokenKind.JsonContainsLeft, "<@", out text);
                    default:
                        return Single(ch, out text);
                }

            case '>':
                return _lastChar == '=' ? Fixed(SqlTokenKind.GE, ">=", out text) : Single(ch, out text);
            case '!':
                switch (_lastChar)
                {
                    case '=':
                        return Fixed(SqlTokenKind.NE, "!=", out text);
                    case '~':
                        Advance();
                        return _lastChar == '*' ? Fixed(SqlTokenKind.NE, "!~*", out text) : Constant(SqlTokenKind.NE, "!~", out text);
                    default:
                        if (IsValidCharAfterOperator(_lastChar))
                        {
                            return Named(SqlTokenKind.Not, out text);
                        }

                        return Fail($"unexpected char \"{Char(_lastChar)}\" ({Format(_lastChar)}) after \"!\"", out text);
                }

            case '\'':
                return ScanString(ch, SqlTokenKind.String, out text);
            case '"':
                return ScanString(ch, SqlTokenKind.DoubleQuotedString, out text);
            case '`':
                return ScanString(ch, SqlTokenKind.Id, out text);
            case '%':
                if (_lastChar == '(')
                {
                    return ScanVariableIdentifier(out text);
                }

                // A format parameter ('%s'), or the modulo operator ('id % 8').
                return IsLetter(_lastChar) ? ScanFormatParameter(out text) : Single(ch, out text);
            case '$':
                return Dollar(out text);
            case '@' when IsPostgres:
                // An operator in PostgreSQL, among them the JSON operator @>.
                return _lastChar == '>' ? Fixed(SqlTokenKind.JsonContains, "@>", out text) : Single(ch, out text);
            case '@' or '{':
                if (_pos == 1 || _curlys > 0)
                {
                    // A top-level escape sequence ({call procedure(?)}) keeps its shape rather than becoming one '?'.
                    _curlys++;
                    return Single(ch, out text);
                }

                return ScanEscapeSequence(out text);
            case '}':
                if (_curlys == 0)
                {
                    return Fail($"unexpected byte {Format(ch)}", out text);
                }

                _curlys--;
                return Single(ch, out text);
            default:
                return Fail($"unexpected byte {Format(ch)}", out text);
        }
    }

    private SqlTokenKind Named(SqlTokenKind kind, out ReadOnlyMemory<byte> text)
    {
        text = Bytes();
        return kind;
    }

    /// <summary>A fixed token whose last character is already behind us.</summary>
    private static SqlTokenKind Constant(SqlTokenKind kind, string token, out ReadOnlyMemory<byte> text)
    {
        text = System.Text.Encoding.ASCII.GetBytes(token);
        return kind;
    }

    private SqlTokenKind Tilde(int ch, out ReadOnlyMemory<byte> text) =>
        _lastChar == '*' ? Fixed((SqlTokenKind)'~', "~*", out text) : Single(ch, out text);

    private SqlTokenKind Minus(int ch, out ReadOnlyMemory<byte> text)
    {
        if (_lastChar == '-')
        {
            Advance();
            return ScanCommentType1(out text);
        }

        if (_lastChar == '>' && IsPostgres)
        {
            Advance();
            return _lastChar == '>' ? Fixed(SqlTokenKind.JsonSelectText, "->>", out text) : Constant(SqlTokenKind.JsonSelect, "->", out text);
        }

        if (_lastChar == '>' || IsDigit(_lastChar))
        {
            return ScanNumber(false, out text); // elsewhere than PostgreSQL, "->" reads as the number "-", as in the Agent
        }

        if (_lastChar == '.')
        {
            Advance();
            if (IsDigit(_lastChar))
            {
                return ScanNumber(true, out text);
            }

            _lastChar = '.';
            _pos--;
        }

        return Single(ch, out text);
    }

    private SqlTokenKind Hash(int ch, out ReadOnlyMemory<byte> text)
    {
        if (IsSqlServer)
        {
            return ScanIdentifier(out text); // a temporary table: #name, ##name
        }

        if (!IsPostgres)
        {
            Advance();
            return ScanCommentType1(out text); // MySQL's # comment
        }

        switch (_lastChar)
        {
            case '>':
                Advance();
                return _lastChar == '>' ? Fixed(SqlTokenKind.JsonSelectPathText, "#>>", out text) : Constant(SqlTokenKind.JsonSelectPath, "#>", out text);
            case '-':
                return Fixed(SqlTokenKind.JsonDelete, "#-", out text);
            default:
                return Single(ch, out text);
        }
    }

    private SqlTokenKind Dollar(out ReadOnlyMemory<byte> text)
    {
        if (IsDigit(_lastChar) || _lastChar == '?')
        {
            return ScanPreparedStatement(out text); // $1, $?
        }

        if (IsSqlServer && IsLetter(_lastChar))
        {
            return ScanIdentifier(out text); // $action in MERGE … OUTPUT
        }

        var kind = ScanDollarQuotedString(out text);
        if (kind == SqlTokenKind.DollarQuotedFunc)
        {
            // An embedded query: obfuscated as one, or kept as a plain string when that fails.
            var inner = SqlObfuscator.Attempt(new SqlTokenizer(text.ToArray(), _literalEscapes, Options), out _);
            if (inner is null)
            {
                return SqlTokenKind.DollarQuotedString;
            }

            text = System.Text.Encoding.UTF8.GetBytes("$func$" + inner.Query + "$func$");
        }

        return kind;
    }
}
