using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NUnit.Framework;

namespace PyChecks.Tests.Architecture;

/// <summary>
/// <c>src/PyChecks</c> compiled from its sources by Roslyn, so that tests can follow what each file's code
/// refers to (every public type is in namespace <c>PyChecks</c>, so <c>using</c> lines alone show nothing).
/// Built once per test run.
/// </summary>
internal sealed class SourceModel
{
    /// <summary>
    /// The source generators <c>src/PyChecks</c> relies on: <c>[LoggerMessage]</c>, <c>[OptionsValidator]</c>,
    /// <c>[LibraryImport]</c> and <c>[GeneratedRegex]</c> members are partial, and only the generated half completes them.
    /// </summary>
    private static readonly string[] Generators =
    [
        "Microsoft.Extensions.Logging.Generators.dll", "Microsoft.Extensions.Options.SourceGeneration.dll",
        "Microsoft.Interop.LibraryImportGenerator.dll", "System.Text.RegularExpressions.Generator.dll",
    ];

    private static readonly Lazy<SourceModel> Shared = new(() => new SourceModel(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<SyntaxTree, SemanticModel> _models;

    private SourceModel()
    {
        Root = Path.Combine(PackagingTests.RepositoryRoot(), "src", "PyChecks");
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None);
        var files = Directory.EnumerateFiles(Root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(Root, path)))
            .Order(StringComparer.Ordinal);
        var trees = files
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions, ""))
            .ToList();
        var sources = CSharpCompilation.Create(
            "PyChecks",
            trees,
            References(),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable)
                // The project's own NoWarn: it uses the API it marks experimental.
                .WithSpecificDiagnosticOptions(ExperimentalIds().Select(id => KeyValuePair.Create(id, ReportDiagnostic.Suppress))));
        CSharpGeneratorDriver.Create(SourceGenerators(), parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(sources, out var generated, out var generatorDiagnostics);
        Compilation = (CSharpCompilation)generated;
        // One semantic model per file, bound in parallel and kept: the walk's look-ups then reuse what the diagnostics bound.
        var bound = Compilation.SyntaxTrees.AsParallel()
            .Select(tree => (Tree: tree, Model: Compilation.GetSemanticModel(tree)))
            .Select(pair => (pair.Tree, pair.Model, Errors: pair.Model.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList()))
            .ToList();
        _models = bound.ToDictionary(entry => entry.Tree, entry => entry.Model);
        Errors = generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Concat(Compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is null))
            .Concat(bound.SelectMany(entry => entry.Errors))
            .ToList();
    }

    /// <summary>The model, compiled on first use.</summary>
    public static SourceModel Instance => Shared.Value;

    /// <summary>The absolute path of <c>src/PyChecks</c>.</summary>
    public string Root { get; }

    /// <summary>Every source file of the assembly, with what <c>ImplicitUsings</c> adds.</summary>
    public CSharpCompilation Compilation { get; }

    /// <summary>The compiler's and the generators' errors.</summary>
    public IReadOnlyList<Diagnostic> Errors { get; }

    /// <summary>The project's source files: neither the implicit usings nor what the generators wrote.</summary>
    public IEnumerable<SyntaxTree> SourceTrees => Compilation.SyntaxTrees.Where(IsSource);

    /// <summary>Whether <paramref name="tree"/> is one of the files under <c>src/PyChecks</c>.</summary>
    public bool IsSource(SyntaxTree tree) => tree.FilePath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The semantic model of <paramref name="tree"/>, already bound.</summary>
    public SemanticModel SemanticsOf(SyntaxTree tree) => _models[tree];

    /// <summary>The experimental diagnostic ids the project suppresses for itself (<c>NoWarn</c> in its project file).</summary>
    private static IEnumerable<string> ExperimentalIds()
    {
        string project = File.ReadAllText(Path.Combine(PackagingTests.RepositoryRoot(), "src", "PyChecks", "PyChecks.csproj"));
        return System.Text.RegularExpressions.Regex.Matches(project, "PYCHECKS[0-9]+").Select(m => m.Value).Distinct();
    }

    /// <summary>Fails the calling test when the sources do not compile: a walk over a broken model proves nothing.</summary>
    public void RequireCompiles()
    {
        if (Errors.Count > 0)
        {
            Assert.Fail($"src/PyChecks does not compile in the test's model ({Errors.Count} errors); first ones:\n"
                + string.Join("\n", Errors.Take(10).Select(d => d.ToString())));
        }
    }

    /// <summary><paramref name="tree"/>'s path relative to <c>src/PyChecks</c>, with forward slashes.</summary>
    public string RelativePath(SyntaxTree tree) => Path.GetRelativePath(Root, tree.FilePath).Replace('\\', '/');

    private static bool IsBuildOutput(string relative)
    {
        string first = relative.Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    /// <summary>
    /// What <c>src/PyChecks</c> compiles against: the runtime's own assemblies and the packages it references
    /// (Microsoft.Extensions.*, YamlDotNet), taken from the test process's trusted assemblies, which hold them.
    /// </summary>
    private static List<MetadataReference> References()
    {
        string runtime = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());
        string[] trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var chosen = trusted.Where(path =>
        {
            string name = Path.GetFileName(path);
            return Path.GetFullPath(Path.GetDirectoryName(path)! + Path.DirectorySeparatorChar) == runtime
                || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
                || name == "YamlDotNet.dll";
        }).ToList();
        Assert.That(chosen.Select(Path.GetFileName), Does.Contain("YamlDotNet.dll").And.Contain("Microsoft.Extensions.Options.dll"),
            "the test process should carry the packages src/PyChecks references");
        return chosen.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
    }

    /// <summary>The generators of <see cref="Generators"/>, from the targeting packs this test assembly was built with.</summary>
    private static IEnumerable<ISourceGenerator> SourceGenerators()
    {
        string list = Path.Combine(AppContext.BaseDirectory, "source-generators.txt");
        var paths = File.ReadAllLines(list)
            .Where(path => Generators.Contains(Path.GetFileName(path)))
            .GroupBy(Path.GetFileName)
            .Select(group => group.Last())
            .ToList();
        Assert.That(paths.Select(Path.GetFileName), Is.EquivalentTo(Generators), $"the source generators listed in {list}");
        var loader = new GeneratorLoader();
        return paths.SelectMany(path => new AnalyzerFileReference(path, loader).GetGenerators(LanguageNames.CSharp));
    }

    /// <summary>Loads a generator and, beside it, what it depends on (<c>Microsoft.Interop.SourceGeneration</c>).</summary>
    private sealed class GeneratorLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }

    /// <summary>The global usings the SDK generates for <c>ImplicitUsings</c> (see <c>obj/*/PyChecks.GlobalUsings.g.cs</c>).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}
