using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Sample;

/// <summary>
/// The built sample, started as the README starts it, with the Python this machine has: the host runs every example
/// check and stops cleanly on SIGTERM; the <c>check</c> command's exit codes reach the shell.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class SampleHostTests
{
    private const int Sigterm = 15;

    [Test]
    public void TheHost_WithRedirectedOutput_PrintsLinesFromEveryExampleCheck_AndStopsCleanlyOnSigterm()
    {
        using var sample = Start([]);
        var output = new StringBuilder();
        sample.OutputDataReceived += (_, e) => Append(output, e.Data);
        sample.ErrorDataReceived += (_, e) => Append(output, e.Data);
        sample.BeginOutputReadLine();
        sample.BeginErrorReadLine();

        string[] expected =
        [
            " gauge hello.world = 1 [TAG_KEY:TAG_VALUE, env:sample]",
            " gauge sample.fs.total_bytes = ",
            " service_check sample.fs.space = ",
            " gauge sample.proc.total = ",
            " gauge sample.proc.matching = ",
            " service_check sample.proc.up = OK [search:PyChecks.Sample]",
            " gauge sample.http.status_code = 200 [url:http://127.0.0.1:",
            " service_check sample.http.can_connect = OK [url:http://127.0.0.1:",
        ];
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !expected.All(e => Snapshot(output).Contains(e, StringComparison.Ordinal)) && !sample.HasExited)
        {
            Thread.Sleep(100);
        }

        Assert.That(sample.HasExited, Is.False, Snapshot(output));
        Assert.That(Kill(sample.Id, Sigterm), Is.Zero);
        Assert.That(sample.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "stopped within 30 s of SIGTERM");
        sample.WaitForExit();
        string text = Snapshot(output);
        Assert.That(text, Does.StartWith("PyChecks sample · checks.d and conf.d in "));
        Assert.That(text, Does.Match(@"\nPython 3\.\d+\.\d+: /\S+libpython3\.\d+\S*\.so\S*, found by \S+"), "which Python was started, and how it was found");
        Assert.That(text, Does.Match(@"\ncontrol API: curl --unix-socket /\S+\.sock http://localhost/status\n"), "how to call the control API");
        Assert.That(text, Does.Contain("-H \"Authorization: Bearer $(cat /").And.Contain(".token)\" http://localhost/checks/hello/run"));
        foreach (string line in expected)
        {
            Assert.That(text, Does.Contain(line));
        }

        Assert.That(text, Does.Match(@"\n\d\d:\d\d:\d\d hello:[0-9a-f]{16} run 1 succeeded\n"));
        Assert.That(text, Does.Not.Contain("FAILED").And.Not.Contain("fail:").And.Not.Contain("crit:"), "no failed run, no error logged");
        Assert.That(sample.ExitCode, Is.Zero, text);
    }

    [TestCase(new[] { "check", "hello" }, 0, "hello.world  gauge      1  TAG_KEY:TAG_VALUE, env:sample")]
    [TestCase(new[] { "check", "http_probe", "--times", "2" }, 0, "http_probe: 1 instance, 2 runs: 2 succeeded, 0 failed")]
    [TestCase(new[] { "check", "nope" }, 1, "No configuration for check 'nope'")]
    [TestCase(new[] { "check" }, 2, "usage: PyChecks.Sample check <name> [options]")]
    public void TheCheckCommand_FromTheCommandLine_PrintsAndExitsWith(string[] args, int exitCode, string printed)
    {
        using var sample = Start(args);
        var stdout = sample.StandardOutput.ReadToEndAsync();
        var stderr = sample.StandardError.ReadToEndAsync();
        Assert.That(sample.WaitForExit(TimeSpan.FromSeconds(60)), Is.True);
        string text = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        Assert.That(sample.ExitCode, Is.EqualTo(exitCode), text);
        Assert.That(text, Does.Contain(printed));
    }

    private static Process Start(string[] args) => SampleProcess.Start(args);

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Append(line).Append('\n');
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
