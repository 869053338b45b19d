using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>
/// The first filter: collects what the statement reveals (tables, commands, comments) before the other filters
/// drop or replace it, and marks table names so that digits in them may be replaced.
/// </summary>
internal sealed class SqlMetadataFilter(SqlObfuscationOptions options)
{
    private readonly HashSet<string> _tablesSeen = new(StringComparer.Ordinal);
    private readonly StringBuilder _tables = new();
    private List<string>? _commands;
    private List<string>? _comments;
    private long _size;

    public SqlTokenKind Filter(SqlTokenKind token, SqlTokenKind lastToken, ReadOnlyMemory<byte> buffer)
    {
        if (options.CollectComments && token == SqlTokenKind.Comment)
        {
            // A comment over several lines is brought to one.
            string comment = Encoding.UTF8.GetString(buffer.Span).Replace('\n', ' ').Trim();
            _size += Encoding.UTF8.GetByteCount(comment);
            (_comments ??= []).Add(comment);
        }

        if (options.CollectCommands && CommandName(token) is { } command)
        {
            _size += command.Length;
            (_commands ??= []).Add(command);
        }

        if (options.TableNames)
        {
            bool afterFromOrJoin = lastToken is SqlTokenKind.From or SqlTokenKind.Join;
            if ((afterFromOrJoin && StartsWithLetter(buffer.Span)) || lastToken is SqlTokenKind.Update or SqlTokenKind.Into)
            {
                // FROM [table], JOIN [table], UPDATE [table], INTO [table]; not FROM (SELECT …).
                var name = options.ReplaceDigits ? SqlReplaceFilter.ReplaceDigits(buffer.Span) : buffer.Span;
                StoreTableName(Encoding.UTF8.GetString(name));
                return SqlTokenKind.TableName;
            }
        }

        return token;
    }

    public SqlMetadata Results() => new(_size, _tables.ToString(), _commands, _comments, null);

    private void StoreTableName(string name)
    {
        if (!_tablesSeen.Add(name))
        {
            return;
        }

        if (_tables.Length > 0)
        {
            _size++;
            _tables.Append(',');
        }

        _size += Encoding.UTF8.GetByteCount(name);
        _tables.Append(name);
    }

    private static bool StartsWithLetter(ReadOnlySpan<byte> text) =>
        Rune.DecodeFromUtf8(text, out var rune, out _) == System.Buffers.OperationStatus.Done && Rune.IsLetter(rune);

    private static string? CommandName(SqlTokenKind token) => token switch
    {
        SqlTokenKind.Select => "SELECT",
        SqlTokenKind.Update => "UPDATE",
        SqlTokenKind.Insert => "INSERT",
        SqlTokenKind.Delete => "DELETE",
        SqlTokenKind.Join => "JOIN",
        SqlTokenKind.Alter => "ALTER",
        SqlTokenKind.Drop => "DROP",
        SqlTokenKind.Create => "CREATE",
        SqlTokenKind.Grant => "GRANT",
        SqlTokenKind.Revoke => "REVOKE",
        SqlTokenKind.Commit => "COMMIT",
        SqlTokenKind.Begin => "BEGIN",
        SqlTokenKind.Truncate => "TRUNCATE",
        _ => null,
    };
}
