using Microsoft.CodeAnalysis.CSharp.Syntax;
using NUnit.Framework;

namespace PyChecks.Tests.Architecture;

/// <summary>One concept per file: a file of <c>src/PyChecks</c> declares one top-level type (a partial type may span files).</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TopLevelTypeTests
{
    /// <summary>Files allowed to hold several top-level types, relative to <c>src/PyChecks</c>; each entry says why.</summary>
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal);

    [Test]
    public void EachFileDeclaresOneTopLevelType()
    {
        var model = SourceModel.Instance;
        model.RequireCompiles();
        var crowded = new List<string>();
        foreach (var tree in model.SourceTrees)
        {
            string file = model.RelativePath(tree);
            var types = tree.GetRoot().DescendantNodes(node => node is not (BaseTypeDeclarationSyntax or DelegateDeclarationSyntax))
                .Where(node => node is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
                .Select(Name)
                .Distinct()
                .ToList();
            if (types.Count > 1 && !Allowed.Contains(file))
            {
                crowded.Add($"{file}: {string.Join(", ", types)}");
            }
        }

        Assert.That(crowded, Is.Empty, $"{crowded.Count} files declare several top-level types (move each to a file named after it):\n" + string.Join("\n", crowded));
    }

    private static string Name(Microsoft.CodeAnalysis.SyntaxNode node) => node switch
    {
        TypeDeclarationSyntax type => type.Identifier.Text + (type.TypeParameterList is { } parameters ? $"<{parameters.Parameters.Count}>" : ""),
        BaseTypeDeclarationSyntax other => other.Identifier.Text,
        DelegateDeclarationSyntax @delegate => @delegate.Identifier.Text,
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };
}
