using System.Globalization;
using System.Text;

namespace PyChecks.Tool.Terminal;

/// <summary>A plain-text table: left-aligned columns separated by two spaces, numbers right-aligned.</summary>
internal sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <summary>Creates a table; a header starting with <c>&gt;</c> makes its column right-aligned (the mark is not shown).</summary>
    public TextTable(params string[] headers)
    {
        _rightAligned = [.. headers.Select(h => h.StartsWith('>'))];
        _headers = [.. headers.Select(h => h.TrimStart('>'))];
    }

    /// <summary>The rows added so far.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row: one cell per column.</summary>
    public TextTable Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    /// <summary>Appends the table, each line starting with <paramref name="indent"/> and cut at <paramref name="width"/> characters (0: no limit).</summary>
    public void AppendTo(StringBuilder text, string indent = "  ", int width = 0)
    {
        int[] widths = [.. _headers.Select((h, i) => _rows.Aggregate(h.Length, (w, row) => Math.Max(w, row[i].Length)))];
        AppendLine(text, _headers, widths, indent, width);
        foreach (string[] row in _rows)
        {
            AppendLine(text, row, widths, indent, width);
        }
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        AppendTo(text);
        return text.ToString();
    }

    /// <summary>A metric value as people read it: integers in full, other numbers with up to 4 decimals.</summary>
    public static string FormatNumber(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when value != 0 && Math.Abs(value) < 0.0001 => value.ToString("0.###E+0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.####", CultureInfo.InvariantCulture),
    };

    private void AppendLine(StringBuilder text, string[] cells, int[] widths, string indent, int width)
    {
        int start = text.Length;
        text.Append(indent);
        for (int i = 0; i < cells.Length; i++)
        {
            bool last = i == cells.Length - 1;
            if (_rightAligned[i])
            {
                text.Append(cells[i].PadLeft(widths[i]));
            }
            else
            {
                text.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
            }

            if (!last)
            {
                text.Append("  ");
            }
        }

        // Trailing spaces of right-padded cells before an empty last cell.
        while (text.Length > start && text[^1] == ' ')
        {
            text.Length--;
        }

        if (width > 0 && text.Length - start > width)
        {
            text.Length = start + width - 1;
            text.Append('…');
        }

        text.Append('\n');
    }
}
