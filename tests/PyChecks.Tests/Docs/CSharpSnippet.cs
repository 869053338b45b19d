using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PyChecks.Tests.Docs;

/// <summary>
/// Compiles a C# block of the docs with Roslyn, against the assemblies the test runs with: the runtime's
/// (<c>TRUSTED_PLATFORM_ASSEMBLIES</c>, ASP.NET Core included) and every assembly of the test's output folder
/// (PyChecks, PyChecks.AspNetCore, Microsoft.Extensions.*, OpenTelemetry, NUnit). A <c>#line</c> directive maps
/// every diagnostic to the Markdown file and line.
/// </summary>
/// <remarks>
/// Marker kinds: <c>file</c> compiles the block as a source file of a console project with implicit usings
/// (top-level statements make it an executable); <c>statements</c> puts it in the body of an <c>async</c> method
/// whose parameters are the marker's <c>given</c> (<c>given: HostApplicationBuilder builder, PyChecksOptions options</c>),
/// with the usings of <see cref="StatementUsings"/> plus the marker's <c>usings</c>; <c>members</c> is a listing of
/// member signatures of the type named by <c>type</c>, each of which must exist on it, public, as written.
/// </remarks>
internal static partial class CSharpSnippet
{
    /// <summary>The global usings of a console project with <c>ImplicitUsings</c>, given to every block.</summary>
    public static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>What a <c>statements</c> block may use without saying so: the namespaces the docs' prose assumes.</summary>
    public static readonly string[] StatementUsings =
        ["PyChecks", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging", "Microsoft.AspNetCore.Builder"];

    /// <summary>
    /// Warnings that say nothing about the API a block uses and are normal in a fragment: an <c>async</c> wrapper
    /// without <c>await</c>, a variable shown but not used further.
    /// </summary>
    private static readonly HashSet<string> FragmentWarnings = ["CS1998", "CS0168", "CS0219", "CS8321"];

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>The result of compiling one block.</summary>
    public sealed record Result(CSharpCompilation Compilation, IReadOnlyList<Diagnostic> Problems, byte[]? Image);

    /// <summary>Compiles <paramref name="block"/> according to its marker; problems are errors and warnings not allowed for its kind.</summary>
    public static Result Compile(DocBlock block)
    {
        return block.Kind switch
        {
            "file" => Build(block, [Parse(block, $"#line {block.FirstContentLine} \"{block.File}\"\n{block.Text}")], emit: true),
            "statements" => Build(block, [Parse(block, Wrap(block))], emit: true),
            "members" => CompileMembers(block),
            _ => throw new InvalidOperationException($"{block.Where}: a C# block needs a marker: <!-- snippet: file -->, <!-- snippet: statements; given: Type name, … --> or <!-- snippet: members; type: Namespace.Type -->"),
        };
    }

    private static string Wrap(DocBlock block)
    {
        // Using directives at the top of the block are the reader's to copy: they go above the wrapper, blank lines keep the line numbers.
        string[] lines = block.Text.Split('\n');
        int directives = lines.TakeWhile(l => UsingDirective().IsMatch(l) || l.Trim().Length == 0).Count();
        string body = string.Join('\n', lines.Select((l, i) => i < directives ? string.Empty : l));
        return $$"""
            {{Usings(block)}}
            #line {{block.FirstContentLine}} "{{block.File}}"
            {{string.Join('\n', lines.Take(directives))}}
            #line default
            internal static class DocSnippet
            {
                public static async Task RunAsync({{block.Attribute("given")}})
                {
            #line {{block.FirstContentLine}} "{{block.File}}"
            {{body}}
            #line default
                }
            }
            """;
    }

    // The usings a statements block or a listing gets without showing them: StatementUsings, and the marker's 'usings'.
    private static string Usings(DocBlock block, params string[] more) =>
        string.Concat((block.Attribute("usings") ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Concat(StatementUsings)
            .Concat(more)
            .Distinct(StringComparer.Ordinal)
            .Select(u => $"using {u};\n"));

    // A listing of signatures: each member, declared in a stand-in class of the same name, must match a public member of the real type.
    private static Result CompileMembers(DocBlock block)
    {
        string typeName = block.Attribute("type") ?? throw new InvalidOperationException($"{block.Where}: a members listing names its type: <!-- snippet: members; type: Namespace.Type -->");
        string simpleName = typeName[(typeName.LastIndexOf('.') + 1)..];
        string ns = typeName[..Math.Max(0, typeName.LastIndexOf('.'))];
        var tree = Parse(block, $$"""
            {{Usings(block, ns)}}
            namespace DocListing
            {
                public abstract class {{simpleName}}
                {
            #line {{block.FirstContentLine}} "{{block.File}}"
            {{block.Text}}
            #line default
                }
            }
            """);
        var result = Build(block, [tree], emit: false, ignore: d => d.Id is "CS0501" or "CS0106"); // bodies and modifiers of a listing
        var problems = result.Problems.ToList();
        var real = result.Compilation.GetTypeByMetadataName(typeName) ?? throw new InvalidOperationException($"{block.Where}: type {typeName} not found");
        var model = result.Compilation.GetSemanticModel(tree);
        string[] realMembers = [.. real.GetMembers().Where(m => m.DeclaredAccessibility == Accessibility.Public).Select(Signature)];
        foreach (var member in tree.GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>().Where(m => m is BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax))
        {
            var symbol = model.GetDeclaredSymbol(member);
            string? signature = symbol is null ? null : Signature(symbol);
            if (signature is null || !realMembers.Contains(signature, StringComparer.Ordinal))
            {
                problems.Add(Diagnostic.Create(
                    new DiagnosticDescriptor("DOC001", "Listed member not found", "{0} is not a public member of {1}; it has: {2}", "Docs", DiagnosticSeverity.Error, true),
                    member.GetLocation(),
                    signature ?? member.ToString(),
                    typeName,
                    string.Join("; ", realMembers)));
            }
        }

        return result with { Problems = problems };
    }

    // Kind, name, parameter types with nullability and defaults, and the return type: what a reader relies on.
    private static string Signature(ISymbol symbol)
    {
        var format = new SymbolDisplayFormat(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            memberOptions: SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType,
            parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.UseSpecialTypes);
        return symbol.ToDisplayString(format);
    }

    private static SyntaxTree Parse(DocBlock block, string source) =>
        CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: block.File + ".snippet.cs");

    private static Result Build(DocBlock block, SyntaxTree[] trees, bool emit, Func<Diagnostic, bool>? ignore = null)
    {
        var globalUsings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n")),
            new CSharpParseOptions(LanguageVersion.Latest),
            path: "ImplicitUsings.g.cs");
        bool executable = trees.Any(t => t.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create(
            "DocSnippet_" + Path.GetFileNameWithoutExtension(block.File).Replace('-', '_') + "_" + block.Line,
            [globalUsings, .. trees],
            References.Value,
            new CSharpCompilationOptions(
                executable ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: false,
                warningLevel: 9999));

        IEnumerable<Diagnostic> diagnostics;
        byte[]? image = null;
        if (emit)
        {
            using var stream = new MemoryStream();
            var emitted = compilation.Emit(stream); // some errors (CS4007, …) come only from emitting
            diagnostics = emitted.Diagnostics;
            image = emitted.Success ? stream.ToArray() : null;
        }
        else
        {
            diagnostics = compilation.GetDiagnostics();
        }

        var problems = diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && !(block.Kind == "statements" && FragmentWarnings.Contains(d.Id))))
            .Where(d => ignore is null || !ignore(d))
            .ToList();
        return new Result(compilation, problems, image);
    }

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            byName.TryAdd(Path.GetFileName(path), path);
        }

        foreach (string path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            if (!byName.ContainsKey(Path.GetFileName(path)) && IsManaged(path))
            {
                byName.Add(Path.GetFileName(path), path);
            }
        }

        // The snippets are compiled as a user's code: the test assembly and the sample are not theirs to see.
        byName.Remove(Path.GetFileName(typeof(CSharpSnippet).Assembly.Location));
        byName.Remove("PyChecks.Sample.dll");
        return [.. byName.Values.Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var reader = new PEReader(File.OpenRead(path));
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^using [A-Za-z][A-Za-z0-9_.]*;\s*(//.*)?$")]
    private static partial Regex UsingDirective();

    /// <summary>Loads an emitted block into the current process.</summary>
    public static Assembly Load(Result result) =>
        Assembly.Load(result.Image ?? throw new InvalidOperationException("the block did not compile"));
}
