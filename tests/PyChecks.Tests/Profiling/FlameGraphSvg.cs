using System.Globalization;
using System.Xml.Linq;
using NUnit.Framework;

namespace PyChecks.Tests.Profiling;

/// <summary>
/// Reads an SVG flame graph as XML and holds it to the folded stacks of the same profile: every box (a <c>g.f</c> group,
/// nested as the call tree) is as wide as the microseconds of the folded lines that pass through it, on the scale of
/// the whole, and the boxes of each depth add up to the weight of the stacks at least that deep.
/// </summary>
internal static class FlameGraphSvg
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Asserts the above; returns the number of boxes (the root <c>all</c> included).</summary>
    public static int AssertMatches(string svg, string folded)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(svg);
        }
        catch (System.Xml.XmlException e)
        {
            Assert.Fail($"the SVG is not well-formed XML: {e.Message}\n{svg[..Math.Min(svg.Length, 2000)]}");
            throw;
        }

        var root = document.Root!;
        Assert.That(root.Name, Is.EqualTo(Svg + "svg"));
        Assert.That(root.Attribute("width")?.Value, Is.EqualTo("1200"), "readable at 1200 px");
        Assert.That(document.Descendants().Where(e => e.Name.LocalName == "script"), Is.Empty, "no script");
        Assert.That(svg, Does.Not.Contain("href").And.Not.Contain("@import").And.Not.Contain("url("), "nothing fetched");

        var stacks = folded.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            int space = line.LastIndexOf(' ');
            return (Frames: line[..space].Split(';'), Weight: long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }).ToList();
        long total = stacks.Sum(s => s.Weight);
        Assert.That(total, Is.Positive, "a profile with samples");

        var all = root.Elements(Svg + "g").Single(g => (string?)g.Attribute("class") == "f");
        double chart = Width(all);
        Assert.That(Label(all), Is.EqualTo("all"));
        Assert.That(chart, Is.EqualTo(1180).Within(0.001), "the root spans the chart");

        int boxes = 0;
        var widthByDepth = new Dictionary<int, double>();
        void Visit(XElement box, string[] path)
        {
            boxes++;
            long weight = stacks.Where(s => s.Frames.Length >= path.Length && s.Frames.AsSpan(0, path.Length).SequenceEqual(path)).Sum(s => s.Weight);
            Assert.That(weight, Is.Positive, $"a box for {string.Join(';', path)} matches folded stacks");
            Assert.That(Width(box), Is.EqualTo(weight * chart / total).Within(0.001), $"the width of {string.Join(';', path)} is its {weight} µs of {total}");
            Assert.That(Title(box), Does.Contain(string.Create(CultureInfo.InvariantCulture, $"{100.0 * weight / total:0.##}% of all")), "the tooltip gives the share");
            widthByDepth[path.Length] = widthByDepth.GetValueOrDefault(path.Length) + Width(box);
            foreach (var child in box.Elements(Svg + "g"))
            {
                Visit(child, [.. path, Label(child)]);
            }
        }

        foreach (var child in all.Elements(Svg + "g"))
        {
            Visit(child, [Label(child)]);
        }

        foreach (var (depth, width) in widthByDepth)
        {
            long weight = stacks.Where(s => s.Frames.Length >= depth).Sum(s => s.Weight);
            Assert.That(width, Is.EqualTo(weight * chart / total).Within(0.01 * boxes), $"the boxes {depth} deep add up to the stacks at least that deep");
        }

        Assert.That(widthByDepth[1], Is.EqualTo(chart).Within(0.01 * boxes), "the outermost frames cover every sample");
        return boxes + 1;
    }

    private static double Width(XElement box) => double.Parse(box.Element(Svg + "rect")!.Attribute("width")!.Value, CultureInfo.InvariantCulture);

    private static string Title(XElement box) => box.Element(Svg + "title")!.Value;

    private static string Label(XElement box) => Title(box).Split('\n')[0];
}
