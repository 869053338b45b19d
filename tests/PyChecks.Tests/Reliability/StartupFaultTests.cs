using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// A host whose Python cannot be used fails to start at once, with the discovery report, and nothing is left behind.
/// Nothing is loaded here, so these run in the test process.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class StartupFaultTests
{
    [TestCase("/no/such/libpython3.11.so.1.0", "does not exist")]
    [TestCase("/etc/os-release", "is not an ELF shared library")]
    [TestCase("/bin/false", "could not be asked for its library: exit code 1")]
    [TestCase("/tmp", "is a directory")]
    public void HostStart_WithAnUnusablePython_FailsPromptly_NamingItAndHowToFixIt(string python, string reason)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPyChecks(o => o.Python.Python = python);
        using var host = builder.Build();

        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<PythonRuntimeException>(() => host.StartAsync())!;
        clock.Stop();

        Assert.That(error.Message, Does.StartWith($"PyChecks was told to use the Python at {python} (option PythonRuntimeOptions.Python), but it {reason}"));
        Assert.That(error.Message, Does.Contain("Fix PythonRuntimeOptions.Python, or leave it unset"));
        Assert.That(error.Candidates[^1].Path, Is.EqualTo(python));
        Assert.That(PythonRuntime.Current, Is.Null, "no interpreter was started");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "discovery gave up without hanging");

        // The host can still be stopped and disposed after the failed start.
        Assert.DoesNotThrowAsync(() => host.StopAsync());
    }
}
