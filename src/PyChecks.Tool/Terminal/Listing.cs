using Spectre.Console;
using Spectre.Console.Rendering;

namespace PyChecks.Tool.Terminal;

/// <summary>A titled table or list of fields, drawn by Spectre.Console on a terminal and as plain lines otherwise.</summary>
internal static class Listing
{
    /// <summary>
    /// A table: on a terminal, a bordered table; otherwise the title, then the columns two spaces apart, indented.
    /// A header starting with <c>&gt;</c> right-aligns its column.
    /// </summary>
    public static void Table(ToolConsole console, string title, string[] headers, IReadOnlyList<string[]> rows)
    {
        if (console.Rich is { } rich)
        {
            var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle(Markup.Escape(title)) };
            foreach (string header in headers)
            {
                var column = new TableColumn(Markup.Escape(header.TrimStart('>')));
                table.AddColumn(header.StartsWith('>') ? column.RightAligned() : column);
            }

            foreach (string[] row in rows)
            {
                table.AddRow(row.Select(c => (IRenderable)new Text(c)).ToArray());
            }

            rich.Write(table);
            return;
        }

        console.Out.WriteLine(title);
        if (rows.Count > 0)
        {
            var table = new TextTable(headers);
            foreach (string[] row in rows)
            {
                table.Add(row);
            }

            console.Out.Write(table.ToString());
        }
    }

    /// <summary>Fields, one a line: <c>name  value</c>, names padded to one column; on a terminal, the names in bold.</summary>
    public static void Fields(ToolConsole console, string? title, IReadOnlyList<(string Name, string Value)> fields)
    {
        int width = fields.Count == 0 ? 0 : fields.Max(f => f.Name.Length);
        if (console.Rich is { } rich)
        {
            if (title is not null)
            {
                rich.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
            }

            var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            foreach (var (name, value) in fields)
            {
                grid.AddRow(new Markup($"[bold]{Markup.Escape(name)}[/]"), new Text(value));
            }

            rich.Write(grid);
            return;
        }

        if (title is not null)
        {
            console.Out.WriteLine(title);
        }

        foreach (var (name, value) in fields)
        {
            console.Out.WriteLine($"  {name.PadRight(width)}  {value}");
        }
    }

    /// <summary>A line that says how something went: green or red on a terminal.</summary>
    public static void Verdict(ToolConsole console, string line, bool good)
    {
        if (console.Rich is { } rich)
        {
            rich.MarkupLine($"[{(good ? "green" : "red")}]{Markup.Escape(line)}[/]");
        }
        else
        {
            console.Out.WriteLine(line);
        }
    }
}
