using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NUnit.Framework;

namespace PyChecks.Tests.Interop;

/// <summary>
/// A .NET exception that reaches native code through an <c>[UnmanagedCallersOnly]</c> entry point ends the process.
/// Every entry point in the library is therefore checked, from its source: its body is one <c>try</c> with a
/// catch-all, or it hands its work to a wrapper that has one.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class UnmanagedEntryPointTests
{
    /// <summary>Methods that run their argument inside a catch-all; an entry point may consist of a call to one.</summary>
    private static readonly string[] Wrappers = ["EntryPoint.InitModule", "Return"];

    [Test]
    public void EveryUnmanagedEntryPoint_CatchesEveryException()
    {
        var entryPoints = Methods().Where(m => m.Method.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == "UnmanagedCallersOnly")).ToList();
        Assert.That(entryPoints, Has.Count.GreaterThan(15), "the built-in modules' entry points are all found");

        var unguarded = entryPoints.Where(m => !IsGuarded(m.Method)).Select(m => $"{m.File}: {m.Method.Identifier}").ToList();
        Assert.That(unguarded, Is.Empty, "entry points whose body may let an exception escape into native code");
    }

    [Test]
    public void TheWrappers_CatchEveryException()
    {
        var wrappers = Methods().Where(m => Wrappers.Any(w => w.EndsWith(m.Method.Identifier.Text, StringComparison.Ordinal))).ToList();
        Assert.That(wrappers.Select(w => w.Method.Identifier.Text).Distinct(), Is.EquivalentTo(Wrappers.Select(w => w.Split('.')[^1])));
        Assert.That(wrappers.Where(w => !HasCatchAllTry(w.Method.Body)).Select(w => $"{w.File}: {w.Method.Identifier}"), Is.Empty);
    }

    private static bool IsGuarded(MethodDeclarationSyntax method)
    {
        if (method.ExpressionBody is { Expression: InvocationExpressionSyntax call })
        {
            string callee = call.Expression.ToString();
            return Wrappers.Contains(callee, StringComparer.Ordinal);
        }

        return HasCatchAllTry(method.Body);
    }

    // The body's statements, apart from declarations, are one try statement with a catch (Exception) or a bare catch.
    private static bool HasCatchAllTry(BlockSyntax? body) =>
        body is not null
        && body.Statements.Where(s => s is not LocalDeclarationStatementSyntax).ToList() is [TryStatementSyntax guarded]
        && guarded.Catches.Any(c => c.Declaration is null || c.Declaration.Type.ToString() is "Exception" or "System.Exception");

    private static IEnumerable<(string File, MethodDeclarationSyntax Method)> Methods()
    {
        string source = Path.Combine(PackagingTests.RepositoryRoot(), "src");
        foreach (string file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            foreach (var method in root.DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                yield return (Path.GetRelativePath(source, file), method);
            }
        }
    }
}
