using System.Collections.Frozen;
using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>
/// Splits a SQL statement into tokens the way the Datadog Agent's obfuscator does, so that the filters built on it
/// answer what the Agent answers. It is not a SQL lexer: it knows only what obfuscation needs, and works on the
/// UTF-8 bytes, as error positions are byte positions.
/// </summary>
internal sealed partial class SqlTokenizer
{
    private const int EndChar = (int)SqlTokenKind.EndChar;
    private const int EscapeCharacter = '\\';

    private static readonly FrozenDictionary<string, SqlTokenKind> s_keywords = new Dictionary<string, SqlTokenKind>(StringComparer.Ordinal)
    {
        ["NULL"] = SqlTokenKind.Null,
        ["TRUE"] = SqlTokenKind.BooleanLiteral,
        ["FALSE"] = SqlTokenKind.BooleanLiteral,
        ["SAVEPOINT"] = SqlTokenKind.Savepoint,
        ["LIMIT"] = SqlTokenKind.Limit,
        ["AS"] = SqlTokenKind.As,
        ["ALTER"] = SqlTokenKind.Alter,
        ["CREATE"] = SqlTokenKind.Create,
        ["GRANT"] = SqlTokenKind.Grant,
        ["REVOKE"] = SqlTokenKind.Revoke,
        ["COMMIT"] = SqlTokenKind.Commit,
        ["BEGIN"] = SqlTokenKind.Begin,
        ["TRUNCATE"] = SqlTokenKind.Truncate,
        ["DROP"] = SqlTokenKind.Drop,
        ["SELECT"] = SqlTokenKind.Select,
        ["FROM"] = SqlTokenKind.From,
        ["UPDATE"] = SqlTokenKind.Update,
        ["DELETE"] = SqlTokenKind.Delete,
        ["INSERT"] = SqlTokenKind.Insert,
        ["INTO"] = SqlTokenKind.Into,
        ["JOIN"] = SqlTokenKind.Join,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly byte[] _data;
    private readonly bool _literalEscapes;
    private int _start;     // where the bytes of the token being scanned begin
    private int _off;       // where the unread input begins
    private int _pos;       // the position reported in errors, counted as the Agent counts it
    private int _lastChar;  // the last character read (not yet part of a token), or EndChar
    private uint _curlys;   // open braces of a top-level escape sequence ({call ...})

    public SqlTokenizer(byte[] sql, bool literalEscapes, SqlObfuscationOptions options)
    {
        _data = sql;
        _literalEscapes = literalEscapes;
        Options = options;
    }

    public SqlObfuscationOptions Options { get; }

    /// <summary>The first error met, <c>at position N: …</c>; null while there is none.</summary>
    public string? Error { get; private set; }

    /// <summary>Whether a backslash was met inside a string: a failed scan may then succeed with the other escape rule.</summary>
    public bool SeenEscape { get; private set; }

    public bool LiteralEscapes => _literalEscapes;

    /// <summary>The length of the input, in bytes.</summary>
    public int Length => _data.Length;

    /// <summary>Reads the next token; <see cref="SqlTokenKind.EndChar"/> at the end, <see cref="SqlTokenKind.LexError"/> on bad input.</summary>
    public SqlTokenKind Scan(out ReadOnlyMemory<byte> text)
    {
        if (_lastChar == 0)
        {
            Advance();
        }

        SkipBlank();
        int ch = _lastChar;
        if (IsLeadingLetter(ch) && !(IsPostgres && ch == '@'))
        {
            // '@' is an operator in PostgreSQL, not the start of an identifier.
            return ScanIdentifier(out text);
        }

        if (IsDigit(ch))
        {
            return ScanNumber(false, out text);
        }

        Advance();
        if (_lastChar == EndChar && Error is not null)
        {
            text = default;
            return SqlTokenKind.LexError; // invalid encoding
        }

        return ScanPunctuation(ch, out text);
    }

    private bool IsPostgres => Options.Dbms == SqlObfuscationOptions.Postgres;

    private bool IsSqlServer => Options.Dbms == SqlObfuscationOptions.SqlServer;

    private SqlTokenKind Single(int ch, out ReadOnlyMemory<byte> text)
    {
        text = Bytes();
        return (SqlTokenKind)ch;
    }

    private SqlTokenKind Fixed(SqlTokenKind kind, string token, out ReadOnlyMemory<byte> text)
    {
        Advance();
        text = Encoding.ASCII.GetBytes(token);
        return kind;
    }

    private SqlTokenKind Fail(string message, out ReadOnlyMemory<byte> text)
    {
        SetError(message);
        text = Bytes();
        return SqlTokenKind.LexError;
    }

    private void SkipBlank()
    {
        while (IsSpace(_lastChar))
        {
            Advance();
        }

        Bytes();
    }

    private SqlTokenKind ScanIdentifier(out ReadOnlyMemory<byte> text)
    {
        Advance();
        while (IsLetter(_lastChar) || IsDigit(_lastChar) || _lastChar is '.' or '*' or '$')
        {
            Advance();
        }

        text = Bytes();
        return s_keywords.TryGetValue(ToUpper(text.Span), out var keyword) ? keyword : SqlTokenKind.Id;
    }

    private static string ToUpper(ReadOnlySpan<byte> text)
    {
        if (text.Length > 64)
        {
            return string.Empty; // far longer than any keyword, even spelt with non-ASCII letters
        }

        var upper = new StringBuilder(text.Length);
        foreach (var rune in Encoding.UTF8.GetString(text).EnumerateRunes())
        {
            upper.Append(Rune.ToUpperInvariant(rune).ToString());
        }

        return upper.ToString();
    }

    private SqlTokenKind ScanVariableIdentifier(out ReadOnlyMemory<byte> text)
    {
        for (Advance(); _lastChar != ')' && _lastChar != EndChar; Advance())
        {
        }

        Advance();
        if (!IsLetter(_lastChar))
        {
            return Fail($"invalid character after variable identifier: \"{Char(_lastChar)}\" ({_lastChar})", out text);
        }

        Advance();
        text = Bytes();
        return SqlTokenKind.Variable;
    }

    private SqlTokenKind ScanFormatParameter(out ReadOnlyMemory<byte> text)
    {
        Advance();
        text = Bytes();
        return SqlTokenKind.Variable;
    }

    private SqlTokenKind ScanPreparedStatement(out ReadOnlyMemory<byte> text)
    {
        if (!IsDigit(_lastChar) && _lastChar != '?')
        {
            return Fail($"prepared statements must start with digits, got \"{Char(_lastChar)}\" ({_lastChar})", out text);
        }

        if (_lastChar == '?')
        {
            Advance();
            text = Bytes();
            return SqlTokenKind.PreparedStatement;
        }

        if (ScanNumber(false, out text) == SqlTokenKind.LexError)
        {
            return Fail("invalid number", out text);
        }

        return SqlTokenKind.PreparedStatement;
    }

    private SqlTokenKind ScanEscapeSequence(out ReadOnlyMemory<byte> text)
    {
        while (_lastChar != '}' && _lastChar != EndChar)
        {
            Advance();
        }

        if (_lastChar == EndChar)
        {
            return Fail("unexpected EOF in escape sequence", out text);
        }

        Advance();
        text = Bytes();
        return SqlTokenKind.EscapeSequence;
    }

    private SqlTokenKind ScanBindVar(out ReadOnlyMemory<byte> text)
    {
        var kind = SqlTokenKind.ValueArg;
        if (_lastChar == ':')
        {
            kind = SqlTokenKind.ListArg;
            Advance();
        }

        if (!IsLetter(_lastChar) && !IsDigit(_lastChar))
        {
            return Fail($"bind variables should start with letters or digits, got \"{Char(_lastChar)}\" ({_lastChar})", out text);
        }

        while (IsLetter(_lastChar) || IsDigit(_lastChar) || _lastChar == '.')
        {
            Advance();
        }

        text = Bytes();
        return kind;
    }
}
