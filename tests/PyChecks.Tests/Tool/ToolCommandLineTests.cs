using NUnit.Framework;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Remote;

namespace PyChecks.Tests.Tool;

/// <summary>The tool's command line: its usage texts, and wrong arguments refused with one line that names the problem.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ToolCommandLineTests
{
    [Test]
    public void Help_ListsEveryCommand_AndExitsZero()
    {
        var (exit, output, _) = ToolRun.Run("--help");
        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.StartWith("usage: pychecks <command> [options]\n"));
        foreach (string command in new[] { "check <name>", "python", "status", "checks", "run <name>", "reload", "cancel <check id>", "memory", "profile <check id>" })
        {
            Assert.That(output, Does.Match($@"\n  {System.Text.RegularExpressions.Regex.Escape(command)} +\w"), command);
        }

        Assert.That(output, Does.Contain("\n  --no-color ").And.Contain("\n  -h, --help "));
    }

    [TestCase("check", "usage: pychecks check <name> [options]", "--times <n>")]
    [TestCase("profile", "usage: pychecks profile <check id> [options]", "--out <file>")]
    [TestCase("run", "usage: pychecks run <name> [options]", "--token-file <file>")]
    [TestCase("status", "usage: pychecks status [options]", "--socket <path>")]
    public void CommandHelp_GivesItsUsage_OptionsAndExitCodes(string command, string usage, string option)
    {
        var (exit, output, _) = ToolRun.Run(command, "--help");
        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.StartWith(usage + "\n").And.Contain($"\n  {option} ").And.Contain("Exit code"));
    }

    [Test]
    public void Version_IsTheLibrarysVersion()
    {
        var (exit, output, _) = ToolRun.Run("--version");
        Assert.That(exit, Is.Zero);
        Assert.That(output.Trim(), Is.EqualTo(ToolCommandLine.Version).And.Match(@"^\d+\.\d+\.\d+"));
    }

    [TestCase(new string[0], "give a command")]
    [TestCase(new[] { "stauts" }, "unknown command 'stauts': the commands are check, python, status, checks, run, reload, cancel, memory, cluster, profile")]
    [TestCase(new[] { "status", "--sock", "x" }, "unknown option '--sock'")]
    [TestCase(new[] { "run" }, "which check? give its name, e.g. 'run hello'")]
    [TestCase(new[] { "run", "hello", "disk" }, "one check at a time: 'hello' and 'disk' were given")]
    [TestCase(new[] { "cancel" }, "which instance? give its id, as 'pychecks checks' lists it")]
    [TestCase(new[] { "profile", "busy:1", "--out", "busy.png" }, "--out: 'busy.png' does not say which format: end it with .svg, .folded or .json (speedscope)")]
    [TestCase(new[] { "profile", "busy:1", "--duration" }, "--duration needs a value")]
    [TestCase(new[] { "check", "hello", "--times", "0" }, "--times must be a whole number of at least 1, not '0'")]
    public void WrongArguments_ExitTwo_WithTheProblemThenTheUsage(string[] args, string problem)
    {
        var (exit, output, error) = ToolRun.Run(args);
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.StartWith($"error: {problem}\n\nusage: pychecks "));
    }

    [Test]
    public void HostDefaults_AreWhereTheControlApiPutsItsSocketAndToken()
    {
        Assert.That(HostDefaults.Folder, Is.EqualTo(PyChecks.AspNetCore.Listener.RuntimeDirectory.Default));
        Assert.That(HostDefaults.SocketOf("My App"), Is.EqualTo(PyChecks.AspNetCore.Listener.RuntimeDirectory.DefaultFile("My App", ".sock")));
        Assert.That(HostDefaults.TokenBeside(HostDefaults.SocketOf("My App")), Is.EqualTo(PyChecks.AspNetCore.Listener.RuntimeDirectory.DefaultFile("My App", ".token")));
    }
}
