using System.Globalization;
using System.Security;
using System.Text;

namespace PyChecks.Profiling;

/// <summary>
/// A self-contained SVG flame graph of folded stacks: the root at the bottom, each frame a box as wide as the time spent
/// in it and in what it called, its callees stacked on it, widest first. A box's <c>&lt;title&gt;</c> (the tooltip) gives
/// its time and its share of the whole. No script, no font or style fetched: it renders the same offline.
/// </summary>
/// <remarks>
/// Each box is a <c>&lt;g class="f"&gt;</c> holding its title, rectangle and label, then its callees' groups, so the
/// document's nesting is the call tree. Widths are exact (no box is dropped, however narrow): the boxes of one depth
/// add up to the time of the stacks that deep.
/// </remarks>
internal sealed class FlameGraph
{
    /// <summary>The picture's width in pixels: readable on a 1200 px screen without zooming.</summary>
    public const int Width = 1200;

    private const int Margin = 10;
    private const int HeaderHeight = 56;
    private const int BoxHeight = 17;
    private const int FontSize = 12;
    private const double CharWidth = FontSize * 0.6; // monospace advance
    private const double ChartWidth = Width - (2 * Margin);

    private readonly Node _root = new("all");

    /// <summary>Adds one stack, frames root first, with the microseconds it stands for.</summary>
    public void Add(IEnumerable<string> frames, long micros)
    {
        var node = _root;
        node.Total += micros;
        foreach (string frame in frames)
        {
            node = node.Child(frame);
            node.Total += micros;
        }

        node.Self += micros;
    }

    /// <summary>Writes the SVG document: a header with <paramref name="title"/> and <paramref name="subtitle"/>, then the boxes.</summary>
    public void Write(TextWriter output, string title, string subtitle)
    {
        int depth = _root.Depth();
        int height = HeaderHeight + (depth * BoxHeight) + Margin;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FontSize}">
            <title>{Escape(title)}</title>
            <style>g.f &gt; rect {"{"} stroke: #fff; stroke-width: 0.5 {"}"} g.f:hover &gt; rect {"{"} stroke: #000; stroke-width: 1 {"}"} text {"{"} pointer-events: none {"}"}</style>
            <rect x="0" y="0" width="{Width}" height="{height}" fill="#f8f8f4"/>
            <text x="{Width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">{Escape(title)}</text>
            <text x="{Width / 2}" y="42" text-anchor="middle" fill="#555">{Escape(subtitle)}</text>

            """);
        if (_root.Total == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{HeaderHeight + BoxHeight}\" text-anchor=\"middle\">No samples.</text>\n");
        }
        else
        {
            AppendBox(svg, _root, Margin, 0, height - Margin, _root.Total);
        }

        svg.Append("</svg>\n");
        output.Write(svg);
    }

    // The box of `node` at `x`, `level` boxes above the bottom line, then its callees on top of it, widest first.
    private static void AppendBox(StringBuilder svg, Node node, double x, int level, int bottom, long total)
    {
        double width = node.Total * ChartWidth / total;
        double y = bottom - ((level + 1) * BoxHeight);
        double share = 100.0 * node.Total / total;
        svg.Append("<g class=\"f\"><title>").Append(Escape(node.Label)).Append('\n')
            .Append(CultureInfo.InvariantCulture, $"{Milliseconds(node.Total)} ms, {share:0.##}% of all ({Milliseconds(node.Self)} ms in itself)</title>")
            .Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.###}\" y=\"{y}\" width=\"{width:0.###}\" height=\"{BoxHeight - 1}\" rx=\"2\" fill=\"{Colour(node.Label, level)}\"/>");
        int fits = (int)((width - 6) / CharWidth);
        if (fits >= 3)
        {
            string text = node.Label.Length <= fits ? node.Label : string.Concat(node.Label.AsSpan(0, fits - 1), "…");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 3:0.###}\" y=\"{y + BoxHeight - 5}\">{Escape(text)}</text>");
        }

        svg.Append('\n');
        double childX = x;
        foreach (var child in node.Children.Values.OrderByDescending(c => c.Total).ThenBy(c => c.Label, StringComparer.Ordinal))
        {
            AppendBox(svg, child, childX, level + 1, bottom, total);
            childX += child.Total * ChartWidth / total;
        }

        svg.Append("</g>\n");
    }

    // Warm colours, the same for a function wherever it appears; the root and the truncation marker in grey.
    private static string Colour(string label, int level)
    {
        if (level == 0 || label == ProfileFrame.TruncatedName)
        {
            return "#c8c8c8";
        }

        string function = label.Split(" (", 2)[0];
        uint hash = 2166136261;
        foreach (char c in function)
        {
            hash = (hash ^ c) * 16777619;
        }

        int red = 205 + (int)(hash % 50);
        int green = 80 + (int)((hash >> 8) % 150);
        int blue = (int)((hash >> 16) % 60);
        return $"#{red:x2}{green:x2}{blue:x2}";
    }

    private static string Milliseconds(long micros) => (micros / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    // XML 1.0 cannot carry control characters or lone surrogates, which a file name may hold: they become U+FFFD.
    private static string Escape(string text)
    {
        char[] chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            bool paired = char.IsHighSurrogate(chars[i]) ? i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])
                : char.IsLowSurrogate(chars[i]) && i > 0 && char.IsHighSurrogate(chars[i - 1]);
            if (char.IsControl(chars[i]) || (char.IsSurrogate(chars[i]) && !paired))
            {
                chars[i] = '\uFFFD';
            }
        }

        return SecurityElement.Escape(new string(chars)) ?? string.Empty;
    }

    private sealed class Node(string label)
    {
        public string Label { get; } = label;

        public long Total { get; set; }

        public long Self { get; set; }

        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public Node Child(string label)
        {
            if (!Children.TryGetValue(label, out var child))
            {
                child = new Node(label);
                Children.Add(label, child);
            }

            return child;
        }

        public int Depth() => 1 + (Children.Count == 0 ? 0 : Children.Values.Max(c => c.Depth()));
    }
}
