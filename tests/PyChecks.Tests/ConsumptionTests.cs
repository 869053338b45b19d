using System.Diagnostics;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests;

/// <summary>
/// The path a user takes: both packages from a folder feed, referenced by <c>PackageReference</c> from a fresh
/// console project outside the solution, with a custom <see cref="ISender"/> and a custom check. What a
/// <c>ProjectReference</c> would hide — a missing dependency, an asset left out of the package, the embedded
/// Python sources, the framework reference — fails here.
/// </summary>
[TestFixture]
public sealed class ConsumptionTests
{
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

        var sender = new ConsoleSender();
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
        await host.StopAsync();

        sealed class ConsoleSender : ISender
        {
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
                FirstRun.TrySetResult();
            }
        }
        """;

    private const string Check = """
        from datadog_checks.base import AgentCheck

        class InventoryCheck(AgentCheck):
            def check(self, instance):
                self.gauge('inventory.items', instance['items'], tags=['shop:' + instance['shop']])
                self.service_check('inventory.up', AgentCheck.OK)
        """;

    [Test]
    [CancelAfter(600_000)]
    public void FreshProject_ReferencingThePackedPackages_RunsACustomCheckIntoACustomSender()
    {
        if (!PythonInstall.All.Any(i => i.IsPresent))
        {
            Assert.Ignore("No CPython 3.9–3.13 shared library on this machine for the consumer to find.");
        }

        // A version of its own, so that no package cached by an earlier run can stand in for this build.
        string version = $"0.1.0-consumption.{DateTime.UtcNow:yyyyMMddHHmmss}";
        string root = Directory.CreateTempSubdirectory("pychecks-consumer").FullName;
        string feed = Directory.CreateDirectory(Path.Combine(root, "feed")).FullName;
        foreach (string project in new[] { "PyChecks", "PyChecks.AspNetCore" })
        {
            Run("dotnet", root, "pack", Path.Combine(PackagingTests.RepositoryRoot(), "src", project, project + ".csproj"), "-c", "Release", "-o", feed, "-nologo", $"-p:Version={version}");
        }

        string app = Directory.CreateDirectory(Path.Combine(root, "app")).FullName;
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), ProjectFile.Replace("$(PyChecksVersion)", version, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pychecks-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string checks = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        string conf = Directory.CreateDirectory(Path.Combine(root, "conf.d")).FullName;
        File.WriteAllText(Path.Combine(checks, "inventory.py"), Check);
        File.WriteAllText(Path.Combine(conf, "inventory.yaml"), "instances:\n  - items: 42\n    shop: north\n    tags: [env:test]\n");

        string output = Run("dotnet", app, "run", "-c", "Release", "--", checks, conf, Path.Combine(root, "api.sock"));

        Assert.That(output, Does.Contain("metric inventory.items 42 [shop:north,env:test]"));
        Assert.That(output, Does.Contain("service_check inventory.up Ok"));
        Assert.That(output, Does.Contain("commit inventory succeeded=True metrics=1"));
        Assert.That(output, Does.Contain("status has python"), "the control API package works from its package too");
        Directory.Delete(root, recursive: true);
    }

    private static string Run(string file, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)} failed:\n{output}\n{error.Result}");
        return output;
    }
}
