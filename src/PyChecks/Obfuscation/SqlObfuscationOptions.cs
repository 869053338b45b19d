namespace PyChecks.Obfuscation;

/// <summary>
/// How a SQL statement is obfuscated: the options a check passes to <c>datadog_agent.obfuscate_sql</c> as JSON,
/// with the Agent's names (<see cref="SqlObfuscationOptionsReader"/> reads them).
/// </summary>
internal sealed record SqlObfuscationOptions
{
    /// <summary>The default options: every flag off, no DBMS.</summary>
    public static SqlObfuscationOptions Default { get; } = new();

    /// <summary><c>dbms</c>: <see cref="SqlServer"/>, <see cref="Postgres"/>, <see cref="MySql"/>, <see cref="Oracle"/> or anything else.</summary>
    public string Dbms { get; init; } = string.Empty;

    /// <summary><c>table_names</c>: collect the names of the tables the statement addresses.</summary>
    public bool TableNames { get; init; }

    /// <summary><c>collect_commands</c>: collect SELECT, UPDATE, … in order.</summary>
    public bool CollectCommands { get; init; }

    /// <summary><c>collect_comments</c>: collect the comments the obfuscation removes.</summary>
    public bool CollectComments { get; init; }

    /// <summary><c>collect_procedures</c>: honoured only by the normalizing obfuscation modes, as in the Agent.</summary>
    public bool CollectProcedures { get; init; }

    /// <summary><c>replace_digits</c>: digits in table names and identifiers become <c>?</c>.</summary>
    public bool ReplaceDigits { get; init; }

    /// <summary><c>keep_sql_alias</c>: keep <c>AS alias</c>.</summary>
    public bool KeepSqlAlias { get; init; }

    /// <summary><c>dollar_quoted_func</c>: obfuscate the body of <c>$func$…$func$</c> as SQL instead of replacing it.</summary>
    public bool DollarQuotedFunc { get; init; }

    /// <summary><c>return_json_metadata</c>: answer <c>{"query": …, "metadata": …}</c> instead of the query alone.</summary>
    public bool ReturnJsonMetadata { get; init; }

    /// <summary><c>obfuscation_mode</c>: empty for the Agent's default obfuscator; other values select go-sqllexer in the Agent.</summary>
    public string ObfuscationMode { get; init; } = string.Empty;

    /// <summary><c>remove_space_between_parentheses</c> (normalizing modes only).</summary>
    public bool RemoveSpaceBetweenParentheses { get; init; }

    /// <summary><c>keep_null</c> (go-sqllexer modes only).</summary>
    public bool KeepNull { get; init; }

    /// <summary><c>keep_boolean</c> (go-sqllexer modes only).</summary>
    public bool KeepBoolean { get; init; }

    /// <summary><c>keep_positional_parameter</c> (go-sqllexer modes only).</summary>
    public bool KeepPositionalParameter { get; init; }

    /// <summary><c>keep_trailing_semicolon</c> (normalizing modes only).</summary>
    public bool KeepTrailingSemicolon { get; init; }

    /// <summary><c>keep_identifier_quotation</c> (normalizing modes only).</summary>
    public bool KeepIdentifierQuotation { get; init; }

    /// <summary><c>keep_json_path</c> (go-sqllexer modes only).</summary>
    public bool KeepJsonPath { get; init; }

    /// <summary>The <c>dbms</c> value of Microsoft SQL Server.</summary>
    public const string SqlServer = "mssql";

    /// <summary>The <c>dbms</c> value of PostgreSQL.</summary>
    public const string Postgres = "postgresql";

    /// <summary>The <c>dbms</c> value of MySQL.</summary>
    public const string MySql = "mysql";

    /// <summary>The <c>dbms</c> value of Oracle.</summary>
    public const string Oracle = "oracle";
}
