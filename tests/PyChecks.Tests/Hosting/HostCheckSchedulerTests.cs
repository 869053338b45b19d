using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>
/// A check the host writes in C# (<see cref="HostCheck"/>, provided through its own <see cref="ICheckLoader"/>) is
/// scheduled like a Python one: at its interval, timed out, cancelled, reported stuck, counted in the status and the
/// telemetry, and run once on demand.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class HostCheckSchedulerTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void HostCheck_RunsAtItsInterval_CountedInStatusAndTelemetry(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var runs = new ConcurrentQueue<(string Check, string Status)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PyChecksTelemetry.MeterName && instrument.Name == PyChecksTelemetry.CheckRuns)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? check = null, status = null;
            foreach (var tag in tags)
            {
                check = tag.Key == "check" ? tag.Value as string : check;
                status = tag.Key == "status" ? tag.Value as string : status;
            }

            runs.Enqueue((check!, status!));
        });
        meters.Start();

        var folder = new CheckFolder().Config("host_counter", """
            instances:
              - min_collection_interval: 10
            """);
        using var hosted = Start(folder);
        var loader = hosted.Host.Services.GetRequiredService<HostCheckLoader>();

        Assert.That(hosted.Scheduler.Checks.Single(), Is.SameAs(loader.Loaded.Single()), "the host's check is scheduled, as it was loaded");
        Eventually.That(() => hosted.StatusOf("host_counter").TotalRuns == 1, "the first run, due at start");
        hosted.Advance(TimeSpan.FromSeconds(10));
        Eventually.That(() => hosted.StatusOf("host_counter").TotalRuns == 2, "the second run, 10 s later");

        var status = hosted.StatusOf("host_counter");
        Assert.That(status.LastOutcome, Is.EqualTo(CheckRunOutcome.Ok));
        Assert.That(status.State, Is.EqualTo(CheckState.Scheduled));
        Assert.That(status.LastRunStartedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 0, 10, TimeSpan.Zero)));
        Assert.That(status.Source, Is.EqualTo("host:host_counter"));
        Assert.That(hosted.Sender.Metrics.Where(m => m.Name == "host.runs").Select(m => m.Value), Is.EqualTo(new[] { 1.0, 2.0 }), "what it submitted reached the senders");
        Assert.That(runs.Where(r => r.Check == "host_counter"), Is.EqualTo(new[] { ("host_counter", "ok"), ("host_counter", "ok") }), "pychecks.check.runs counts its runs");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void HostCheck_IsTimedOutFromDispatch_AndCancelled(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Config("host_blocking", """
            instances:
              - min_collection_interval: 60
                run_timeout: 5
                mode: honour
            """).Config("host_tick", """
            instances:
              - min_collection_interval: 1
            """);
        using var hosted = Start(folder);
        var check = hosted.Host.Services.GetRequiredService<HostCheckLoader>().Loaded.Single(c => c.Name == "host_blocking");

        Eventually.That(() => check.Started == 1 && hosted.StatusOf("host_blocking").State == CheckState.Running, "the first run, waiting for its token");
        hosted.Advance(TimeSpan.FromSeconds(4));
        hosted.WaitForSchedulerAt(TimeSpan.FromSeconds(4));
        Assert.That(check.TokenFired, Is.False, "not before its timeout (the loop, woken by host_tick, has seen 4 s)");
        hosted.Advance(TimeSpan.FromSeconds(1));
        Eventually.That(() => hosted.StatusOf("host_blocking").TotalTimeouts == 1, "the run timed out 5 s after its dispatch");

        var status = hosted.StatusOf("host_blocking");
        Assert.That(check.TokenFired, Is.True, "the timeout fired the run's token");
        Assert.That(status.LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut));
        Assert.That(status.LastError, Is.EqualTo("the run took longer than its timeout of 0:00:05 and was interrupted (interrupted)"));

        hosted.WaitUntilIdle("host_blocking");
        hosted.Advance(TimeSpan.FromSeconds(55));
        Eventually.That(() => check.Started == 2 && hosted.StatusOf("host_blocking").State == CheckState.Running, "the next run, on time");
        Assert.That(hosted.Scheduler.Cancel(status.CheckId), Is.EqualTo(CheckCancelResult.Interrupted));
        Eventually.That(() => hosted.StatusOf("host_blocking").TotalCancelled == 1, "the run was cancelled");
        Assert.That(hosted.StatusOf("host_blocking").LastOutcome, Is.EqualTo(CheckRunOutcome.Cancelled));
        Assert.That(hosted.StatusOf("host_blocking").TotalRuns, Is.EqualTo(2));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void HostCheck_IgnoringItsToken_IsReportedStuck_UntilItReturns(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Config("host_deaf", """
            instances:
              - min_collection_interval: 60
                run_timeout: 1
                mode: ignore
            """);
        using var hosted = Start(folder, TimeSpan.FromSeconds(1));
        var check = hosted.Host.Services.GetRequiredService<HostCheckLoader>().Loaded.Single();

        Eventually.That(() => check.Started == 1, "the run, ignoring its token");
        hosted.Advance(TimeSpan.FromSeconds(1));
        Eventually.That(() => check.TokenFired, "the timeout fired the token, and started the grace period");
        hosted.Advance(TimeSpan.FromSeconds(1));
        Eventually.That(() => hosted.StatusOf("host_deaf").State == CheckState.Stuck, "reported stuck after the grace period, with no diagnosis to wait for");

        check.Release();
        Eventually.That(() => hosted.StatusOf("host_deaf").TotalTimeouts == 1, "it returned, and counts as timed out");
        Assert.That(hosted.StatusOf("host_deaf").State, Is.EqualTo(CheckState.Scheduled));
        Eventually.That(() => hosted.Host.Services.GetRequiredService<PythonRuntime>().Workers.CompensatingWorkers == 0, "its stand-in released");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void HostCheck_RunOnce_RunsAFreshInstance_WhoseSubmissionsReachTheSenders(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Config("host_counter", """
            instances:
              - min_collection_interval: 60
            """);
        using var hosted = Start(folder);
        var loader = hosted.Host.Services.GetRequiredService<HostCheckLoader>();
        Eventually.That(() => hosted.StatusOf("host_counter").TotalRuns == 1, "the scheduled run");

        var report = hosted.Scheduler.RunOnceAsync("host_counter").GetAwaiter().GetResult();

        Assert.That(report, Is.Not.Null);
        Assert.That(report!.Errors, Is.Empty);
        var run = report.Instances.Single();
        Assert.That(run.Result.Succeeded, Is.True, run.Result.Error);
        Assert.That(run.Result.Metrics, Is.EqualTo(1));
        Assert.That(run.Stuck, Is.False);
        Assert.That(run.Metrics, Is.Empty, "nothing is captured from a check that sends to the senders itself");
        Assert.That(loader.Loaded, Has.Count.EqualTo(2), "a fresh instance, beside the scheduled one");
        Assert.That(loader.Loaded[1].Started, Is.EqualTo(1));
        Assert.That(loader.Loaded[1].Disposed, Is.True, "disposed after its run");
        Assert.That(loader.Loaded[0].Disposed, Is.False, "the scheduled instance keeps running");
        Assert.That(hosted.Sender.Metrics.Count(m => m.Name == "host.runs"), Is.EqualTo(2), "its submission reached the senders");
        Assert.That(hosted.StatusOf("host_counter").TotalRuns, Is.EqualTo(1), "the run-once is not a scheduled run");
    });

    private static HostedChecks Start(CheckFolder folder, TimeSpan? stuckRunGrace = null) => HostedChecks.Start(
        folder,
        o => o.StuckRunGrace = stuckRunGrace ?? o.StuckRunGrace,
        services: static s =>
        {
            s.AddSingleton<HostCheckLoader>();
            s.AddSingleton<ICheckLoader>(static sp => sp.GetRequiredService<HostCheckLoader>());
        });
}
