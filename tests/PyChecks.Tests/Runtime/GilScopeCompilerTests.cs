using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace PyChecks.Tests.Runtime;

/// <summary>The compiler, not the run time, stops a GIL scope from being held across an await.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class GilScopeCompilerTests
{
    [Test]
    public void HoldingAScopeAcrossAnAwait_DoesNotCompile()
    {
        var diagnostics = Compile("""
            using PyChecks;
            using System.Threading.Tasks;
            static class Misuse
            {
                static async Task Run(PythonRuntime runtime)
                {
                    using var gil = runtime.AcquireGil();
                    await Task.Yield();
                }
            }
            """);
        Assert.That(diagnostics.Select(d => d.Id), Does.Contain("CS4007"), string.Join("\n", diagnostics));
    }

    [Test]
    public void AScopeEndedBeforeTheAwait_Compiles()
    {
        var diagnostics = Compile("""
            using PyChecks;
            using System.Threading.Tasks;
            static class Use
            {
                static async Task Run(PythonRuntime runtime)
                {
                    using (runtime.AcquireGil())
                    {
                        using var math = PyObject.Import("math");
                    }

                    await Task.Yield();
                }
            }
            """);
        Assert.That(diagnostics, Is.Empty);
    }

    private static List<Diagnostic> Compile(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(PythonRuntime).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            "ScopeProbe",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // CS4007 comes from the async rewrite, so only emitting reports it.
        return compilation.Emit(Stream.Null).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }
}
