using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace PyChecks.Tool.CommandLine;

/// <summary>
/// The usage text of a command, from its model: <c>usage: pychecks check &lt;name&gt; [options]</c>, its description, its
/// subcommands, then its options (and the options every command takes) in two columns, then its epilogue.
/// </summary>
internal static class CommandUsage
{
    private const int Column = 23;

    /// <summary>The usage of the command that <paramref name="result"/> parsed, as <paramref name="program"/> names the tool.</summary>
    public static string Render(CommandResult result, string program)
    {
        var path = new List<Command>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c)
            {
                path.Insert(0, c.Command);
            }
        }

        return Render(path, program);
    }

    /// <summary>The usage of the last command of <paramref name="path"/> (the root first).</summary>
    public static string Render(IReadOnlyList<Command> path, string program)
    {
        var command = path[^1];
        var text = new StringBuilder("usage: ").Append(program);
        foreach (var step in path.Skip(1))
        {
            text.Append(' ').Append(step.Name);
        }

        if (command.Subcommands.Count > 0)
        {
            text.Append(" <command>");
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            text.Append(" <").Append(argument.HelpName ?? argument.Name).Append('>');
        }

        text.Append(" [options]\n");
        if (!string.IsNullOrEmpty(command.Description))
        {
            text.Append('\n').Append(command.Description.TrimEnd()).Append('\n');
        }

        if (command.Subcommands.Count > 0)
        {
            text.Append("\ncommands:\n");
            foreach (var sub in command.Subcommands.Where(s => !s.Hidden))
            {
                string left = sub.Name + string.Concat(sub.Arguments.Select(a => $" <{a.HelpName ?? a.Name}>"));
                Row(text, left, sub is ToolCommand { Summary: { } summary } ? summary : sub.Description ?? string.Empty);
            }
        }

        // The command's own options, then those every command takes (declared recursive on an ancestor).
        var options = command.Options.Where(o => !o.Hidden)
            .Concat(path.Take(path.Count - 1).SelectMany(c => c.Options).Where(o => o.Recursive && !o.Hidden && !command.Options.Contains(o)))
            .OrderBy(o => o.Name is "--help" ? 1 : 0)
            .ToList();
        if (options.Count > 0)
        {
            text.Append("\noptions:\n");
            foreach (var option in options)
            {
                // -h, --help: the short and long names; other spellings a parser accepts (/h, -?) are left out.
                var shown = option.Aliases.Append(option.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal) || (n.Length == 2 && n[0] == '-' && char.IsAsciiLetter(n[1])));
                string names = string.Join(", ", shown.Order(StringComparer.Ordinal).OrderBy(n => n.Length > 2 ? 1 : 0));
                string value = option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0 ? string.Empty : $" <{option.HelpName ?? "value"}>";
                Row(text, names + value, option.Description ?? string.Empty);
            }
        }

        if (command is ToolCommand { Epilogue: { } epilogue })
        {
            text.Append('\n').Append(epilogue.TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    // Two columns: the left one padded to the description's column, or alone on its line when longer.
    private static void Row(StringBuilder text, string left, string description)
    {
        text.Append("  ").Append(left);
        string[] lines = description.Split('\n');
        if (2 + left.Length + 2 > Column)
        {
            text.Append('\n').Append(' ', Column);
        }
        else
        {
            text.Append(' ', Column - 2 - left.Length);
        }

        text.Append(lines[0]).Append('\n');
        foreach (string line in lines.Skip(1))
        {
            text.Append(' ', Column).Append(line).Append('\n');
        }
    }
}
