using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NUnit.Framework;

namespace PyChecks.Tests.Architecture;

/// <summary>
/// The folders of <c>src/PyChecks</c> keep the layers of <see cref="Layers.Table"/>: every name in a file is
/// resolved by Roslyn, and a type or member declared in a folder of a higher rank, or in another folder of the
/// same rank, is a violation.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LayeringTests
{
    [Test]
    public void TheSourcesCompileInTheTestsModel() => SourceModel.Instance.RequireCompiles();

    [Test]
    public void EverySourceFolderHasARank()
    {
        var model = SourceModel.Instance;
        var unranked = model.SourceTrees
            .Select(model.RelativePath)
            .Where(path => Layers.RankOf(Layers.FolderOf(path)) is null)
            .ToList();
        Assert.That(unranked, Is.Empty, "source files in a folder the layer table does not place (add the folder to Layers.Table and docs/architecture.md)");
    }

    [Test]
    public void NoFolderReferencesAHigherOrSiblingFolder()
    {
        var model = SourceModel.Instance;
        model.RequireCompiles();
        var violations = Violations(model);
        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void TheArchitectureDocDrawsTheSameLayers()
    {
        string doc = File.ReadAllText(Path.Combine(PackagingTests.RepositoryRoot(), "docs", "architecture.md"));
        var drawn = DocTable(doc);
        var expected = Layers.Table.Select(layer => $"{layer.Rank}: {string.Join(", ", layer.Folders)}").ToList();
        Assert.That(drawn, Is.EqualTo(expected), "docs/architecture.md's rank table differs from Layers.Table");
    }

    /// <summary>One reference across layers: where it is, and what it names.</summary>
    private sealed record Violation(string File, int Line, string FromFolder, string ToFolder, string ToType, string Names)
    {
        public override string ToString() => $"{File}:{Line} -> {ToFolder}/{ToType} ({Names})";
    }

    private static List<Violation> Violations(SourceModel model)
    {
        return model.SourceTrees.AsParallel()
            .SelectMany(tree => Violations(model, tree))
            .OrderBy(v => v.File, StringComparer.Ordinal).ThenBy(v => v.Line)
            .ToList();
    }

    private static IEnumerable<Violation> Violations(SourceModel model, SyntaxTree tree)
    {
        string file = model.RelativePath(tree);
        string from = Layers.FolderOf(file);
        var semantics = model.SemanticsOf(tree);
        // Per line and target type, the names used from it, in order of appearance.
        var byLine = new Dictionary<(int Line, string Folder, string Type), List<string>>();
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            if (node is not (SimpleNameSyntax or ImplicitObjectCreationExpressionSyntax))
            {
                continue;
            }

            var info = semantics.GetSymbolInfo(node);
            if (Declared(info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) is not { } symbol)
            {
                continue;
            }

            var folders = symbol.Locations
                .Where(location => location.IsInSource && model.IsSource(location.SourceTree!))
                .Select(location => Layers.FolderOf(model.RelativePath(location.SourceTree!)))
                .Distinct()
                .ToList();
            if (folders.Count == 0 || folders.Any(to => Layers.MayReference(from, to)))
            {
                continue;
            }

            int line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            var key = (line, folders[0], TopLevelName(symbol));
            if (!byLine.TryGetValue(key, out var names))
            {
                byLine[key] = names = [];
            }

            string name = MemberName(symbol);
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return byLine.Select(entry =>
            new Violation(file, entry.Key.Line, from, entry.Key.Folder, entry.Key.Type, string.Join(", ", entry.Value)));
    }

    /// <summary>The declared type or member a name resolves to, or <see langword="null"/> for locals, parameters, namespaces and the like.</summary>
    private static ISymbol? Declared(ISymbol? symbol)
    {
        switch (symbol)
        {
            case IAliasSymbol alias:
                return Declared(alias.Target);
            case IMethodSymbol { ReducedFrom: { } extension }:
                return extension.OriginalDefinition;
            case IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction }:
                return null;
            case INamedTypeSymbol or IMethodSymbol or IPropertySymbol or IFieldSymbol or IEventSymbol:
                return symbol.OriginalDefinition;
            default:
                return null;
        }
    }

    private static string TopLevelName(ISymbol symbol)
    {
        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        while (type.ContainingType is { } outer)
        {
            type = outer;
        }

        return type.Name;
    }

    private static string MemberName(ISymbol symbol)
    {
        if (symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
        {
            return "new " + TypeName(constructor.ContainingType);
        }

        return symbol is INamedTypeSymbol type ? TypeName(type) : TypeName(symbol.ContainingType) + "." + symbol.Name;
    }

    private static string TypeName(INamedTypeSymbol type) =>
        type.ContainingType is { } outer ? TypeName(outer) + "." + type.Name : type.Name;

    /// <summary>The violations grouped by pair of folders, so each pair reads as one piece of work.</summary>
    private static string Report(List<Violation> violations)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{violations.Count} references go up or across the layers (a folder may use only its own types and those of lower ranks):");
        foreach (var pair in violations
            .GroupBy(v => (v.FromFolder, v.ToFolder))
            .OrderBy(g => Layers.RankOf(g.Key.FromFolder)).ThenBy(g => g.Key.FromFolder, StringComparer.Ordinal)
            .ThenBy(g => Layers.RankOf(g.Key.ToFolder)).ThenBy(g => g.Key.ToFolder, StringComparer.Ordinal))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{pair.Key.FromFolder} (rank {Layers.RankOf(pair.Key.FromFolder)}) -> {pair.Key.ToFolder} (rank {Layers.RankOf(pair.Key.ToFolder)}): {pair.Count()}");
            foreach (var violation in pair)
            {
                text.AppendLine("  " + violation);
            }
        }

        return text.ToString();
    }

    /// <summary>The rank table in the doc: rows whose first cell is a number, as "rank: Folder, Folder".</summary>
    private static List<string> DocTable(string markdown)
    {
        var rows = new List<string>();
        foreach (string line in markdown.Split('\n'))
        {
            string[] cells = line.Trim().Split('|');
            if (cells.Length < 4 || !int.TryParse(cells[1].Trim(), out int rank))
            {
                continue;
            }

            var folders = Regex.Matches(cells[2], @"`([A-Za-z]+)/`").Select(m => m.Groups[1].Value);
            rows.Add($"{rank}: {string.Join(", ", folders)}");
        }

        Assert.That(rows, Is.Not.Empty, "docs/architecture.md has no rank table (rows of '| rank | `Folder/`, … | … |')");
        return rows;
    }
}
