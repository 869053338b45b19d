using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// A check that starts Python threads which outlive its run — a non-daemon thread that never ends, a daemon thread,
/// a thread that keeps the GIL busy — does not deadlock later runs, and does not hold up shutdown beyond its timeout.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LingeringThreadTests
{
    /// <summary>Starts its threads on its first run; every run counts.</summary>
    private const string SpawningCheck = """
        import threading, time
        from datadog_checks.base import AgentCheck

        runs = 0

        def sleeper():
            while True:
                time.sleep(0.05)

        def spinner():
            n = 0
            while True:
                n += 1

        class SpawningCheck(AgentCheck):
            def check(self, instance):
                global runs
                runs += 1
                if runs == 1:
                    threading.Thread(target=sleeper, name='non-daemon sleeper', daemon=False).start()
                    threading.Thread(target=sleeper, name='daemon sleeper', daemon=True).start()
                    threading.Thread(target=spinner, name='daemon spinner', daemon=True).start()
                    threading.Thread(target=spinner, name='non-daemon spinner', daemon=False).start()
                self.gauge('spawning.runs', runs, tags=['threads:' + str(threading.active_count())])
        """;

    private const string HelloCheck = """
        from datadog_checks.base import AgentCheck

        class HelloCheck(AgentCheck):
            def check(self, instance):
                self.gauge('hello.world', 1)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ThreadsThatOutliveTheRun_DoNotBlockLaterRuns_AndCheckHostDisposeReturnsWithinTheShutdownTimeout(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("spawning", SpawningCheck).Config("spawning", "instances: [{}]\n")
            .Check("hello", HelloCheck).Config("hello", "instances: [{}]\n");
        var sender = new InMemorySender();
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var host = folder.Start([sender], o => o.Python.ShutdownTimeout = TimeSpan.FromSeconds(3), factory);
        var checks = CheckFolder.LoadAll(host);

        for (int round = 0; round < 5; round++)
        {
            foreach (var check in checks)
            {
                var run = check.RunAsync();
                Assert.That(run.Wait(TimeSpan.FromSeconds(30)), Is.True, $"run {round + 1} of {check.Name} completed while the threads run");
                Assert.That(run.Result.Succeeded, Is.True, run.Result.Error);
            }
        }

        Assert.That(sender.Metrics.Where(m => m.Name == "spawning.runs").Select(m => m.Tags[0]), Has.All.Matches<string>(t => int.Parse(t["threads:".Length..], System.Globalization.CultureInfo.InvariantCulture) >= 5), "the four threads are alive");
        Assert.That(sender.Metrics.Count(m => m.Name == "hello.world"), Is.EqualTo(5));

        var clock = Stopwatch.StartNew();
        host.Dispose();
        clock.Stop();
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3 + 5)), "within the 3 s shutdown timeout (and a margin)");
        Assert.That(host.Runtime.IsRunning, Is.False);
        Assert.That(
            logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message),
            Has.Some.Contains("Python was not finalized within the shutdown timeout of 00:00:03: Py_FinalizeEx did not return: it waits for a non-daemon Python thread"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ThreadsThatOutliveTheRun_InAHostedScheduler_StopAsyncAndDisposeReturnWithinTheirTimeouts(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("spawning", SpawningCheck).Config("spawning", "instances: [{min_collection_interval: 1}]\n")
            .Check("hello", HelloCheck).Config("hello", "instances: [{min_collection_interval: 1}]\n");
        var logs = new RecordingLoggerProvider();
        var hosted = HostedChecks.Start(folder, fakeTime: false, services: s => s.AddSingleton<ILoggerProvider>(logs));
        Eventually.That(() => hosted.CommitsOf("spawning") >= 3 && hosted.CommitsOf("hello") >= 3, "three runs of each check, on the real clock, while the threads run", seconds: 60);
        Assert.That(hosted.Status.GetAll().Select(s => s.TotalErrors + s.TotalTimeouts), Is.All.Zero);

        var clock = Stopwatch.StartNew();
        hosted.Host.StopAsync().GetAwaiter().GetResult();
        var stopped = clock.Elapsed;
        hosted.Host.Dispose();
        var disposed = clock.Elapsed - stopped;

        Assert.That(stopped, Is.LessThan(TimeSpan.FromSeconds(5 + 3)), "StopAsync within the host's 5 s shutdown timeout (and a margin)");
        Assert.That(disposed, Is.LessThan(TimeSpan.FromSeconds(5 + 5)), "disposing the host (Python's finalization) within the runtime's 5 s shutdown timeout (and a margin)");
        Assert.That(
            logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message),
            Has.Some.Contains("Py_FinalizeEx did not return: it waits for a non-daemon Python thread"));
    });
}
