using System.Diagnostics;
using System.Text;
using NUnit.Framework;
using PyChecks.Tests.Docs;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests;

/// <summary>
/// The path a user takes: the packages from a folder feed, referenced from a fresh console project outside the
/// solution, with a custom <see cref="ISender"/> and a custom check. The first test follows the README's quick start
/// word for word — its commands, its <c>Program.cs</c>, its check and its configuration — and runs the result; the
/// second adds the control API package. What a <c>ProjectReference</c> would hide — a missing dependency, an asset
/// left out of the package, the embedded Python sources, the framework reference — fails here.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsumptionTests
{
    private string _root = string.Empty;
    private string _version = string.Empty;
    private string _feed = string.Empty;

    private const string ProjectFile = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="PyChecks" Version="$(PyChecksVersion)" />
            <PackageReference Include="PyChecks.AspNetCore" Version="$(PyChecksVersion)" />
          </ItemGroup>
        </Project>
        """;

    private const string Program = """
        using System.Net.Sockets;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using PyChecks;

        var sender = new ConsoleSender(args.Length > 3 ? int.Parse(args[3]) : 1);
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddPyChecks(o =>
        {
            o.ChecksDirectory = args[0];
            o.ConfigDirectory = args[1];
            o.MaxStartJitter = TimeSpan.Zero;
        });
        builder.Services.AddSingleton<ISender>(sender);
        builder.Services.AddPyChecksLocalApi(o => o.UnixSocketPath = args[2]);
        using var host = builder.Build();
        await host.StartAsync();

        await sender.FirstRun.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(args[2]), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        string status = await http.GetStringAsync("http://localhost/status");
        Console.WriteLine("status " + (status.Contains("\"python\"", StringComparison.Ordinal) ? "has python" : status));
        Console.WriteLine("status " + (status.Contains("\"workers\"", StringComparison.Ordinal) ? "has workers" : "has no workers"));
        await host.StopAsync();

        sealed class ConsoleSender(int runs) : ISender
        {
            private int _commits;

            public TaskCompletionSource FirstRun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void SubmitMetric(in MetricSample sample) =>
                Console.WriteLine($"metric {sample.Name} {sample.Value} [{string.Join(",", sample.Tags.ToArray())}]");

            public void SubmitServiceCheck(in ServiceCheckSample sample) =>
                Console.WriteLine($"service_check {sample.Name} {sample.Status}");

            public void SubmitEvent(CheckEvent checkEvent) => Console.WriteLine($"event {checkEvent.Title}");

            public void SubmitHistogramBucket(in HistogramBucketSample sample)
            {
            }

            public void Commit(in CheckRunSummary run)
            {
                Console.WriteLine($"commit {run.CheckName} succeeded={run.Succeeded} metrics={run.Metrics}");
                if (Interlocked.Increment(ref _commits) >= runs)
                {
                    FirstRun.TrySetResult();
                }
            }
        }
        """;

    // A host that serves the control API until Ctrl+C, for the tool to ask.
    private const string HostProgram = """
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using PyChecks;

        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddPyChecks(o =>
        {
            o.ChecksDirectory = args[0];
            o.ConfigDirectory = args[1];
        });
        builder.Services.AddPyChecksLocalApi(o => o.UnixSocketPath = args[2]);
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("serving the control API");
        await host.WaitForShutdownAsync();
        """;

    private const string Check = """
        from datadog_checks.base import AgentCheck

        class InventoryCheck(AgentCheck):
            def check(self, instance):
                self.gauge('inventory.items', instance['items'], tags=['shop:' + instance['shop']])
                self.service_check('inventory.up', AgentCheck.OK)
        """;

    /// <summary>Packs the three packages, once, into a folder feed that a <c>nuget.config</c> above the consumers points at.</summary>
    [OneTimeSetUp]
    public void PackTheLibrary()
    {
        if (!PythonInstall.All.Any(i => i.IsPresent))
        {
            Assert.Ignore("No CPython 3.9–3.13 shared library on this machine for the consumer to find.");
        }

        // A version of its own, so that no package cached by an earlier run can stand in for this build.
        _version = $"0.1.0-consumption.{DateTime.UtcNow:yyyyMMddHHmmss}";
        _root = Directory.CreateTempSubdirectory("pychecks-consumer").FullName;
        string feed = _feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
        foreach (string project in new[] { "PyChecks", "PyChecks.AspNetCore", "PyChecks.Tool" })
        {
            Run("dotnet", _root, "pack", Path.Combine(PackagingTests.RepositoryRoot(), "src", project, project + ".csproj"), "-c", "Release", "-o", feed, "-nologo", $"-p:Version={_version}");
        }

        File.WriteAllText(Path.Combine(_root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pychecks-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
    }

    [OneTimeTearDown]
    public void RemoveTheFeed()
    {
        if (_root.Length > 0)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    [CancelAfter(600_000)]
    public void ReadmeQuickStart_FollowedInAFreshProject_RunsTheCheckIntoItsCustomSender()
    {
        var quickStart = QuickStart.Read(PackagingTests.RepositoryRoot());
        string directory = Directory.CreateDirectory(Path.Combine(_root, "quickstart")).FullName;
        foreach (var words in quickStart.Commands.SelectMany(ShellSnippet.SimpleCommands))
        {
            switch (words)
            {
                case ["cd", var folder]:
                    directory = Path.Combine(directory, folder);
                    break;
                case ["dotnet", "add", "package", "PyChecks" or "PyChecks.AspNetCore", ..]:
                    Run("dotnet", directory, [.. words.Skip(1), "--version", _version]); // the build under test, not a published one
                    break;
                case ["dotnet", ..]:
                    Run("dotnet", directory, [.. words.Skip(1)]);
                    break;
                default:
                    Assert.Fail($"the quick start runs a command this test does not know: {string.Join(' ', words)}");
                    break;
            }
        }

        foreach (var block in new[] { quickStart.Program, quickStart.Check, quickStart.Config })
        {
            string path = Path.Combine(directory, block.Attribute("file")!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, block.Text);
        }

        // As the README says: dotnet run, in the project's folder, until Ctrl+C. A session of its own lets SIGINT reach the app under the CLI.
        Run("dotnet", directory, "build", "-nologo", "-p:TreatWarningsAsErrors=true");
        string expected = quickStart.Check.Attribute("expect") ?? throw new InvalidOperationException("the quick start's check says what it submits (expect: …)");
        var (output, exitCode) = RunUntil(directory, expected, "setsid", "dotnet", "run", "--no-build");

        Assert.That(output, Does.Contain(expected), "the custom sender printed the check's metric");
        Assert.That(exitCode, Is.Zero, $"Ctrl+C stops the host cleanly:\n{output}");
    }

    [Test]
    [CancelAfter(600_000)]
    public void FreshProject_WithTheControlApiPackage_RunsACustomCheckIntoACustomSenderAndServesTheApi()
    {
        string root = Directory.CreateDirectory(Path.Combine(_root, "control-api")).FullName;
        string app = Directory.CreateDirectory(Path.Combine(root, "app")).FullName;
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), ProjectFile.Replace("$(PyChecksVersion)", _version, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        string checks = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        string conf = Directory.CreateDirectory(Path.Combine(root, "conf.d")).FullName;
        File.WriteAllText(Path.Combine(checks, "inventory.py"), Check);
        File.WriteAllText(Path.Combine(conf, "inventory.yaml"), "instances:\n  - items: 42\n    shop: north\n    tags: [env:test]\n  - {items: 7, shop: south, isolation: process}\n");

        // The second instance runs in a worker process, which the package starts from its own PyChecks.dll.
        string output = Run("dotnet", app, "run", "-c", "Release", "--", checks, conf, Path.Combine(root, "api.sock"), "2");

        Assert.That(output, Does.Contain("metric inventory.items 42 [shop:north,env:test]"));
        Assert.That(output, Does.Contain("metric inventory.items 7 [shop:south]"), "the instance in a worker process ran");
        Assert.That(output, Does.Contain("status has workers"));
        Assert.That(output, Does.Contain("service_check inventory.up Ok"));
        Assert.That(output, Does.Contain("commit inventory succeeded=True metrics=1"));
        Assert.That(output, Does.Contain("status has python"), "the control API package works from its package too");
    }

    [Test]
    [CancelAfter(900_000)]
    public void TheTool_InstalledFromTheFeedIntoAFreshToolManifest_ChecksACheck_AndAsksAHostItsStatus()
    {
        string root = Directory.CreateDirectory(Path.Combine(_root, "tool")).FullName;
        string checks = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        string conf = Directory.CreateDirectory(Path.Combine(root, "conf.d")).FullName;
        File.WriteAllText(Path.Combine(checks, "inventory.py"), Check);
        File.WriteAllText(Path.Combine(conf, "inventory.yaml"), "instances:\n  - items: 42\n    shop: north\n");

        // As a project adds the tool: a manifest of its own, the tool from the feed.
        Run("dotnet", root, "new", "tool-manifest");
        Run("dotnet", root, "tool", "install", "--add-source", _feed, "PyChecks.Tool", "--version", _version);

        // check: ./checks.d and ./conf.d by default.
        string checked_ = Run("dotnet", root, "pychecks", "check", "inventory");
        Assert.That(checked_, Does.StartWith("Python 3."));
        Assert.That(checked_, Does.Match(@"\n  inventory\.items\s+gauge\s+42\s+shop:north\s*\n"));
        Assert.That(checked_, Does.Contain("\n  inventory.up  OK"));
        Assert.That(checked_, Does.EndWith("\ninventory: 1 instance, 1 run: 1 succeeded, 0 failed\n"));

        // status: of a host built from the packages, serving its control API on a socket.
        string app = Directory.CreateDirectory(Path.Combine(root, "host")).FullName;
        File.WriteAllText(Path.Combine(app, "Host.csproj"), ProjectFile.Replace("$(PyChecksVersion)", _version, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Program.cs"), HostProgram);
        Run("dotnet", app, "build", "-c", "Release", "-nologo");
        string socket = Path.Combine(root, "host.sock");
        string status = string.Empty;
        var (hostOutput, _) = RunUntil(app, "serving the control API", () => status = Run("dotnet", root, "pychecks", "status", "--socket", socket),
            "setsid", "dotnet", "run", "-c", "Release", "--no-build", "--", checks, conf, socket);

        Assert.That(status, Does.Match($@"^  host         PyChecks {System.Text.RegularExpressions.Regex.Escape(_version)}, pid \d+, up "), hostOutput);
        Assert.That(status, Does.Contain($"\n  control API  unix:{socket}\n"));
        Assert.That(status, Does.Contain("\n  scheduler    enabled: 1 checks, 1 instances, "));
    }

    // Starts a long-running command, waits for a line containing `expected` (at most 2 minutes), then sends SIGINT to its process group.
    private static (string Output, int ExitCode) RunUntil(string directory, string expected, string file, params string[] arguments) =>
        RunUntil(directory, expected, () => { }, file, arguments);

    // The same, running `whileUp` once the line appeared and before the SIGINT.
    private static (string Output, int ExitCode) RunUntil(string directory, string expected, Action whileUp, string file, params string[] arguments)
    {
        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = StartInfo(file, directory, arguments) };
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.Contains(expected, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool found = seen.Task.Wait(TimeSpan.FromMinutes(2));
        try
        {
            if (found)
            {
                whileUp();
            }
        }
        finally
        {
            // Ctrl+C; where SIGINT is ignored (inherited: see InheritedSignals), SIGTERM, which stops the Generic Host alike.
            using var interrupt = Process.Start("kill", [InheritedSignals.SigintIgnored() ? "-TERM" : "-INT", "--", $"-{process.Id}"]);
            interrupt.WaitForExit();
        }

        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"still running 60 s after SIGINT (or SIGTERM):\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            Assert.That(found, $"'{expected}' never appeared:\n{output}");
            return (output.ToString(), process.ExitCode);
        }
    }

    private static string Run(string file, string directory, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(file, directory, arguments))!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)} failed:\n{output}\n{error.Result}");
        return output;
    }

    private static ProcessStartInfo StartInfo(string file, string directory, string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }
}
