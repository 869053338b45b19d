using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using NUnit.Framework;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Sample;

/// <summary>
/// The built sample, twice on one <c>XDG_RUNTIME_DIR</c>, and on a runtime folder others can write: the refused start
/// is one line and exit code 1 (no stack trace, no abort), and the first host keeps its socket and token.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class SampleRuntimeFolderTests
{
    private const int Sigterm = 15;

    [Test]
    public void ASecondSample_OnTheSameRuntimeFolder_ExitsWithOneLineNamingTheFirst_AndTheFirstKeepsServing()
    {
        string runtime = Directory.CreateTempSubdirectory("pychecks-xdg").FullName;
        string folder = Path.Combine(runtime, "pychecks");
        string socket = Path.Combine(folder, "PyChecks.Sample.sock"), tokenFile = Path.Combine(folder, "PyChecks.Sample.token");
        using var first = Start(runtime);
        first.OutputDataReceived += static (_, _) => { }; // drained, so that the table never blocks on a full pipe
        first.ErrorDataReceived += static (_, _) => { };
        first.BeginOutputReadLine();
        first.BeginErrorReadLine();
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(socket) && !first.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                Thread.Sleep(100);
            }

            Assert.That(File.Exists(socket), Is.True, "the first sample listens");
            string token = File.ReadAllText(tokenFile);

            var (exitCode, output) = RunToEnd(Start(runtime));
            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output.Trim(), Does.Not.Contain("\n"), $"one line: {output}");
            Assert.That(output, Does.Contain($"Another PyChecks host (pid {first.Id}) is already serving the control API's socket {socket}"));
            Assert.That(output, Does.Not.Contain("   at ").And.Not.Contain("Unhandled"));

            Assert.That(File.ReadAllText(tokenFile), Is.EqualTo(token), "the first sample's token file is untouched");
            using var client = ApiClient.OverSocket(socket, token);
            var run = client.Post("checks/hello/run").Expect(HttpStatusCode.OK).Json;
            Assert.That(run.GetProperty("checkName").GetString(), Is.EqualTo("hello"), "the first sample still serves, with its token");
        }
        finally
        {
            _ = Kill(first.Id, Sigterm);
            Assert.That(first.WaitForExit(TimeSpan.FromSeconds(30)), Is.True);
        }

        Assert.That(first.ExitCode, Is.Zero);
        Assert.That(Directory.GetFileSystemEntries(folder), Is.Empty, "the first sample removed what it created");
    }

    [Test]
    public void TheSample_OnARuntimeFolderOthersCanWrite_ExitsWithOneLine_AndLeavesItsMode()
    {
        string runtime = Directory.CreateTempSubdirectory("pychecks-xdg").FullName;
        string folder = Directory.CreateDirectory(Path.Combine(runtime, "pychecks")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);

        var (exitCode, output) = RunToEnd(Start(runtime));
        Assert.That(exitCode, Is.EqualTo(1), output);
        Assert.That(output.Trim(), Is.EqualTo($"The control API's folder {folder} can be written by other users (mode 0777); they could plant or swap its socket and token: run 'chmod 700 {folder}', or choose another path."));
        Assert.That(File.GetUnixFileMode(folder), Is.EqualTo((UnixFileMode)0b111_111_111));
        Assert.That(Directory.GetFileSystemEntries(folder), Is.Empty);
    }

    private static Process Start(string runtimeDirectory) =>
        SampleProcess.Start([], new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtimeDirectory });

    private static (int ExitCode, string Output) RunToEnd(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "exits on its own");
            process.WaitForExit();
            return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
