using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Tool;

/// <summary>
/// <c>pychecks python</c>: the Python that PyChecks' discovery chooses, every candidate looked at and why it was passed
/// over, <c>sys.path</c> as checks start with it, and whether Datadog's toolkit imports; one process per case, as CPython
/// starts once.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ToolPythonCommandTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void WithPython_ShowsThatPython_HowItWasChosen_SysPath_AndTheToolkit(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder();
        var (exit, output, error) = ToolRun.Run("python", "--python", ChildPython.Library, "--checks-dir", folder.ChecksDirectory);

        Assert.That(exit, Is.Zero, output + error);
        string[] lines = output.Split('\n');
        Assert.That(lines[0], Does.Match(@"^Python 3\.\d+\.\d+ \(cpython\)$"));
        Assert.That(lines, Does.Contain($"  library     {ChildPython.Library}"));
        Assert.That(lines, Does.Contain("  found by    option PythonRuntimeOptions.Python"));
        Assert.That(lines, Has.One.Match(@"^  started as  /.*python3\.\d+$"), "the interpreter that goes with the library");
        Assert.That(lines, Does.Contain($"  1. used     option PythonRuntimeOptions.Python: {ChildPython.Library}: loaded").Or.Some.StartsWith($"  1. used     option PythonRuntimeOptions.Python: {ChildPython.Library}"));
        int path = Array.IndexOf(lines, "sys.path at start:");
        Assert.That(path, Is.Positive, output);
        Assert.That(lines.Skip(path + 1).TakeWhile(l => l.Length > 0), Does.Contain($"  {folder.ChecksDirectory}"), "checks.d is on sys.path");
        Assert.That(lines.Skip(path + 1).TakeWhile(l => l.Length > 0), Has.Some.Match(@"/lib/python3\.\d+$"), "the standard library");
        Assert.That(lines, Has.One.Match("^Datadog toolkit: (not installed: checks that import datadog_checks.base get PyChecks' own AgentCheck|datadog_checks.base .* imports, from /|installed at /.* but does not import: )"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void PassedOverCandidates_AreListedInOrder_WithWhyEach(PythonInstall install)
    {
        string notAVenv = Directory.CreateTempSubdirectory("pychecks-not-a-venv").FullName;
        Isolated.Run(install, static () =>
        {
            var (exit, output, _) = ToolRun.Run("python");

            // Whatever this machine's PATH finds next, the venv that is not one is passed over first, with the reason.
            string venv = Environment.GetEnvironmentVariable("VIRTUAL_ENV")!;
            Assert.That(output, Does.Contain($"VIRTUAL_ENV: {venv}: has no pyvenv.cfg; is it a virtual environment?"), output);
            Assert.That(output, Does.Contain("PYCHECKS_PYTHON: not set").And.Contain("PYTHONNET_PYDLL: not set"));
            if (exit == 0)
            {
                Assert.That(output, Does.Match(@"\n  1\. passed   option PythonRuntimeOptions\.Python: not set\n"));
                Assert.That(output, Does.Match(@"\n  4\. passed   VIRTUAL_ENV: "));
                Assert.That(output, Does.Match(@"\n  \d\. used     "), "the one chosen is marked");
            }
            else
            {
                Assert.That(output, Does.StartWith("PyChecks found no usable CPython"), "nothing usable: the library's own list and advice");
            }
        }, new Dictionary<string, string?> { ["VIRTUAL_ENV"] = notAVenv, ["PYCHECKS_PYTHON"] = null, ["PYTHONNET_PYDLL"] = null });
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void APythonThatDoesNotExist_ExitsOne_SayingWhatToFix(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (exit, output, _) = ToolRun.Run("python", "--python", "/no/such/libpython3.11.so.1.0");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.StartWith("PyChecks was told to use the Python at /no/such/libpython3.11.so.1.0 (option PythonRuntimeOptions.Python), but it does not exist."));
    });
}
