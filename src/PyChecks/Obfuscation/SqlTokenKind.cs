namespace PyChecks.Obfuscation;

/// <summary>
/// The kind of a SQL token. A single-character token's kind is the character itself (<c>'('</c> is 40); the
/// named kinds start where the Agent's tokenizer starts them, so that numbers in error messages match its own.
/// </summary>
internal enum SqlTokenKind
{
    /// <summary>The scan failed; the tokenizer's error says why.</summary>
    LexError = 57346,
    Id,
    Limit,
    Null,
    String,
    DoubleQuotedString,
    DollarQuotedString,
    DollarQuotedFunc,
    Number,
    BooleanLiteral,
    ValueArg,
    ListArg,
    Comment,
    Variable,
    Savepoint,
    PreparedStatement,
    EscapeSequence,
    NullSafeEqual,
    LE,
    GE,
    NE,
    Not,
    As,
    Alter,
    Drop,
    Create,
    Grant,
    Revoke,
    Commit,
    Begin,
    Truncate,
    Select,
    From,
    Update,
    Delete,
    Insert,
    Into,
    Join,
    TableName,
    ColonCast,
    JsonSelect,
    JsonSelectText,
    JsonSelectPath,
    JsonSelectPathText,
    JsonContains,
    JsonContainsLeft,
    JsonKeyExists,
    JsonAnyKeysExist,
    JsonAllKeysExist,
    JsonDelete,

    /// <summary>Dropped by a filter, and groupable with the filtered tokens next to it (<c>?, ?</c> becomes <c>?</c>).</summary>
    FilteredGroupable,

    /// <summary>A parenthesis dropped as the start of a group of values, or of a nested query.</summary>
    FilteredGroupableParenthesis,

    /// <summary>Dropped by a filter.</summary>
    Filtered,

    /// <summary>Inside a bracketed identifier (SQL Server) that is being dropped.</summary>
    FilteredBracketedIdentifier,

    /// <summary>The end of the query: one past the largest Unicode code point, as no character can be it.</summary>
    EndChar = 0x110000,
}
