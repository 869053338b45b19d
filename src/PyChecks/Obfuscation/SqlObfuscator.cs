using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>
/// Obfuscates SQL statements as the Datadog Agent's default obfuscator does: literals become <c>?</c>, lists of
/// them collapse, comments and aliases go, whitespace is normalised; table names, commands and comments can be
/// collected on the way. Safe for concurrent use.
/// </summary>
internal sealed class SqlObfuscator
{
    private static readonly string[] s_sqlLexerModes = ["normalize_only", "obfuscate_only", "obfuscate_and_normalize"];

    // Whether backslashes in strings are literal (standard SQL) or escapes (MySQL): learnt from the statements seen,
    // as the Agent learns it, so that later statements get it right on the first attempt.
    private volatile bool _literalEscapes;

    public SqlObfuscator(bool literalEscapes = false) => _literalEscapes = literalEscapes;

    /// <summary>Whether backslashes are taken literally at the first attempt (the obfuscator switches after a statement that needs it).</summary>
    public bool LiteralEscapes => _literalEscapes;

    /// <summary>Obfuscates <paramref name="query"/>; throws <see cref="ObfuscationException"/> with the Agent's message when it cannot.</summary>
    public ObfuscatedSql Obfuscate(string query, SqlObfuscationOptions options) => Obfuscate(Encoding.UTF8.GetBytes(query), options);

    /// <summary>Obfuscates a statement given as bytes, which need not be valid UTF-8 (the Agent then fails with its message).</summary>
    public ObfuscatedSql Obfuscate(byte[] sql, SqlObfuscationOptions options)
    {
        CheckMode(options);
        bool literalEscapes = _literalEscapes;
        var tokenizer = new SqlTokenizer(sql, literalEscapes, options);
        var result = Attempt(tokenizer, out string? error);
        if (result is null && tokenizer.SeenEscape)
        {
            // The statement may read right with the other escape rule; if it does, keep that rule for the next ones.
            var retry = Attempt(new SqlTokenizer(sql, !literalEscapes, options), out _);
            if (retry is not null)
            {
                _literalEscapes = !literalEscapes;
                return retry;
            }
        }

        return result ?? throw new ObfuscationException(error ?? "result is empty");
    }

    /// <summary>The go-sqllexer modes are refused by name rather than answered by the default obfuscator.</summary>
    private static void CheckMode(SqlObfuscationOptions options)
    {
        if (options.ObfuscationMode.Length == 0)
        {
            return;
        }

        if (!s_sqlLexerModes.Contains(options.ObfuscationMode, StringComparer.Ordinal))
        {
            throw new ObfuscationException($"invalid obfuscation mode: {options.ObfuscationMode}");
        }

        throw new ObfuscationException(
            $"obfuscation_mode '{options.ObfuscationMode}' (the Agent's go-sqllexer obfuscator) is not supported by PyChecks; "
            + "leave obfuscation_mode unset to use the Agent's default obfuscator");
    }

    /// <summary>Runs the tokens through the filters; null, with the error, when the statement cannot be read.</summary>
    internal static ObfuscatedSql? Attempt(SqlTokenizer tokenizer, out string? error)
    {
        var options = tokenizer.Options;
        var metadata = new SqlMetadataFilter(options);
        var discard = new SqlDiscardFilter(options.KeepSqlAlias);
        var replace = new SqlReplaceFilter(options.ReplaceDigits);
        var grouping = new SqlGroupingFilter();
        var output = new List<byte>(tokenizer.Length);
        var lastToken = (SqlTokenKind)0;
        while (true)
        {
            var token = tokenizer.Scan(out var text);
            if (token == SqlTokenKind.EndChar)
            {
                break;
            }

            if (token == SqlTokenKind.LexError)
            {
                error = tokenizer.Error ?? "<nil>";
                return null;
            }

            ReadOnlyMemory<byte>? buffer = text;
            token = metadata.Filter(token, lastToken, text);
            if (!discard.Filter(ref token, lastToken, ref buffer, out error))
            {
                return null;
            }

            token = replace.Filter(token, lastToken, ref buffer);
            token = grouping.Filter(token, lastToken, ref buffer);
            if (buffer is { } kept)
            {
                // Tokens are separated by one space, but for a comma, and '=' right after ':' (name := value).
                bool space = output.Count != 0 && token != (SqlTokenKind)',' && !(token == (SqlTokenKind)'=' && lastToken == (SqlTokenKind)':');
                if (space)
                {
                    output.Add((byte)' ');
                }

                output.AddRange(kept.Span);
            }

            lastToken = token;
        }

        if (output.Count == 0)
        {
            error = "result is empty";
            return null;
        }

        error = null;
        return new ObfuscatedSql(Encoding.UTF8.GetString([.. output]), metadata.Results());
    }
}
