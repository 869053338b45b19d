using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>One DI call wires PyChecks into a host: options, validation, replaceable parts, checks running into senders.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class AddPyChecksTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AddPyChecks_OneCall_HostStartsAndTheConfiguredCheckReachesTheSender(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("hello", """
            try:
                from datadog_checks.base import AgentCheck
            except ImportError:
                from checks import AgentCheck

            class HelloCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('hello.world', 1, tags=['TAG_KEY:TAG_VALUE'] + self.instance.get('tags', []))
            """).Config("hello", """
            init_config:
            instances:
              - tags: [env:dev]
            """);

        using var hosted = HostedChecks.Start(folder, fakeTime: false);
        Eventually.That(() => hosted.Sender.Metrics.Count > 0, "the first run's gauge");

        var metric = hosted.Sender.Metrics[0];
        Assert.That(metric.Name, Is.EqualTo("hello.world"));
        Assert.That(metric.Tags, Is.EqualTo(new[] { "TAG_KEY:TAG_VALUE", "env:dev" }));
        var status = hosted.StatusOf("hello");
        Assert.That(status.CheckId, Is.EqualTo(metric.CheckId));
        Assert.That(status.Interval, Is.EqualTo(TimeSpan.FromSeconds(15)));
        Assert.That(status.Timeout, Is.EqualTo(TimeSpan.FromSeconds(15)), "the timeout defaults to the interval");
        Eventually.That(() => hosted.StatusOf("hello").TotalRuns == 1, "the run recorded in the status store");
        Assert.That(hosted.StatusOf("hello").LastOutcome, Is.EqualTo(CheckRunOutcome.Ok));
        Assert.That(hosted.StatusOf("hello").LastMetrics, Is.EqualTo(1));
        Assert.That(hosted.Host.Services.GetRequiredService<PythonRuntime>(), Is.SameAs(PythonRuntime.Current));
        Assert.That(hosted.Scheduler.Checks.Select(c => c.Id), Is.EqualTo(new[] { status.CheckId }));

        var memory = hosted.Host.Services.GetRequiredService<MemoryTracker>().GetSnapshotAsync().GetAwaiter().GetResult();
        Assert.That(memory.Native.InUseBytes, Is.GreaterThan(0), "the built-in module definitions live in tracked native memory");
        Assert.That(memory.Python!.AllocatedBlocks, Is.GreaterThan(0));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void AddPyChecks_OnABareServiceCollection_WithoutLoggingOrMetrics_Runs(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("hello", """
            from datadog_checks.base import AgentCheck

            class HelloCheck(AgentCheck):
                def check(self, instance):
                    self.log.info('hello')
                    self.gauge('hello.world', 1)
            """).Config("hello", "instances: [{}]");
        var sender = new InMemorySender();
        var services = new ServiceCollection();
        services.AddSingleton<ISender>(sender);
        services.AddPyChecks(o =>
        {
            o.ChecksDirectory = folder.ChecksDirectory;
            o.ConfigDirectory = folder.ConfigDirectory;
            o.Python.Python = ChildPython.Library;
            o.MaxStartJitter = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().Single();
        hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();

        Eventually.That(() => sender.Commits.Count == 1, "the first run");
        Assert.That(sender.Metrics.Single().Name, Is.EqualTo("hello.world"));
        Assert.That(provider.GetRequiredService<MemoryTracker>().GetSnapshot().Native.Allocations, Is.GreaterThan(0), "the tracker works without a host meter factory");
        hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
    });

    [Test]
    public void AddPyChecks_BindsThePyChecksConfigurationSection_ThenAppliesTheDelegate()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PyChecks:Hostname"] = "from-config",
            ["PyChecks:ClusterName"] = "cluster-a",
            ["PyChecks:RunTimeout"] = "00:00:05",
            ["PyChecks:MaxStartJitter"] = "00:00:01",
            ["PyChecks:Python:WorkerCount"] = "3",
            ["PyChecks:Python:SearchPaths:0"] = "/opt/extra",
            ["PyChecks:Python:Isolated"] = "true",
            ["PyChecks:HostTags:system:0"] = "env:prod",
            ["PyChecks:AgentVersion"] = "7.99.0",
            ["PyChecks:Isolation"] = "Process",
            ["PyChecks:IsolationByCheck:local_one"] = "InProcess",
            ["PyChecks:WorkerProcesses:Count"] = "3",
            ["PyChecks:WorkerProcesses:MemoryLimitMiB"] = "512",
        }).Build());
        services.AddPyChecks(o => o.ClusterName = "from-code");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PyChecksOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(options.Hostname, Is.EqualTo("from-config"));
            Assert.That(options.ClusterName, Is.EqualTo("from-code"), "the delegate runs after binding");
            Assert.That(options.RunTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.MaxStartJitter, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(options.Python.WorkerCount, Is.EqualTo(3));
            Assert.That(options.Python.SearchPaths, Is.EqualTo(new[] { "/opt/extra" }));
            Assert.That(options.Python.Isolated, Is.True);
            Assert.That(options.HostTags["system"], Is.EqualTo(new[] { "env:prod" }));
            Assert.That(options.AgentVersion, Is.EqualTo("7.99.0"));
            Assert.That(options.Isolation, Is.EqualTo(CheckIsolation.Process));
            Assert.That(options.IsolationByCheck["local_one"], Is.EqualTo(CheckIsolation.InProcess));
            Assert.That(options.WorkerProcesses.Count, Is.EqualTo(3));
            Assert.That(options.WorkerProcesses.MemoryLimitMiB, Is.EqualTo(512));
        });
    }

    [Test]
    public void AddPyChecks_WithoutConfiguration_UsesTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddPyChecks();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PyChecksOptions>>().Value;
        Assert.That(options.EnableScheduler, Is.True);
        Assert.That(options.RunTimeout, Is.Null);
        Assert.That(options.MaxStartJitter, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(options.Python.WorkerCount, Is.EqualTo(2));
        Assert.That(options.Python.Isolated, Is.False, "Python starts as its python executable does, environment included");
    }

    [TestCase("Python:WorkerCount", "0", "Python.WorkerCount")]
    [TestCase("Python:WorkerCount", "65", "Python.WorkerCount")]
    [TestCase("MaxStartJitter", "-00:00:01", "MaxStartJitter")]
    [TestCase("RunTimeout", "00:00:00", "RunTimeout")]
    [TestCase("MaxStandInWorkers", "-1", "MaxStandInWorkers")]
    [TestCase("WorkerProcesses:Count", "0", "WorkerProcesses.Count")]
    [TestCase("WorkerProcesses:MemoryLimitMiB", "1", "WorkerProcesses.MemoryLimitMiB")]
    [TestCase("MaxConfigFileBytes", "0", "MaxConfigFileBytes")]
    [TestCase("MaxConfigFileBytes", "2147483648", "MaxConfigFileBytes")]
    [TestCase("ChecksDirectory", "/no/such/checks.d", "ChecksDirectory")]
    [TestCase("ConfigDirectory", "/no/such/conf.d", "ConfigDirectory")]
    public void HostStart_WithABadOption_FailsWithAMessageNamingIt(string key, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["PyChecks:" + key] = value });

        // Validation fails before Python starts: if it did not, this library path would fail start with another error.
        builder.Services.AddPyChecks(o => o.Python.Python = "/no/such/libpython3.so");
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain(named));
        Assert.That(PythonRuntime.Current, Is.Null, "validation runs before Python starts");
    }

    [Test]
    public void AddPyChecks_KeepsPartsTheHostRegisteredFirst()
    {
        var services = new ServiceCollection();
        var store = new FixedStatusStore();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<ICheckStatusStore>(store);
        services.AddSingleton<TimeProvider>(time);
        services.AddPyChecks();
        services.AddPyChecks();
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ICheckStatusStore>(), Is.SameAs(store));
        Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(time));
        Assert.That(provider.GetServices<IHostedService>().Count(), Is.EqualTo(1), "a second AddPyChecks adds no second scheduler");
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void EnableSchedulerOff_StartsPythonButRunsNothing(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("hello", """
            from datadog_checks.base import AgentCheck

            class HelloCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('hello.world', 1)
            """).Config("hello", "instances: [{}]");

        using var hosted = HostedChecks.Start(folder, o => o.EnableScheduler = false, fakeTime: false);
        Assert.That(PythonRuntime.Current, Is.Not.Null);
        Eventually.Stays(() => hosted.Sender.Metrics.Count == 0, "no run without the scheduler", 500);
    });

    private sealed class FixedStatusStore : ICheckStatusStore
    {
        public IReadOnlyList<string> LoadErrors => [];

        public IReadOnlyList<CheckStatus> GetAll() => [];

        public CheckStatus? Find(string checkId) => null;
    }
}
