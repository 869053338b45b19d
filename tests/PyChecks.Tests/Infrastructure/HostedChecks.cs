using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace PyChecks.Tests.Infrastructure;

/// <summary>A Generic Host with <c>AddPyChecks</c> on a <see cref="CheckFolder"/>, a recording sender and (optionally) a fake clock, in a scenario child process.</summary>
public sealed class HostedChecks : IDisposable
{
    private HostedChecks(IHost host, InMemorySender sender, FakeTimeProvider? time)
    {
        Host = host;
        Sender = sender;
        Time = time;
    }

    public IHost Host { get; }

    public InMemorySender Sender { get; }

    /// <summary>The fake clock, when the host was built with one.</summary>
    public FakeTimeProvider? Time { get; }

    public ICheckStatusStore Status => Host.Services.GetRequiredService<ICheckStatusStore>();

    public ICheckScheduler Scheduler => Host.Services.GetRequiredService<ICheckScheduler>();

    /// <summary>Builds and starts a host on <paramref name="folder"/>; start jitter is off unless <paramref name="configure"/> sets it.</summary>
    public static HostedChecks Start(CheckFolder folder, Action<PyChecksOptions>? configure = null, bool fakeTime = true, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) : null;
        if (time is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(time);
        }

        var sender = new InMemorySender();
        builder.Services.AddSingleton<ISender>(sender);
        services?.Invoke(builder.Services);
        builder.Services.AddPyChecks(o =>
        {
            o.ChecksDirectory = folder.ChecksDirectory;
            o.ConfigDirectory = folder.ConfigDirectory;
            o.Python.Python = ChildPython.Library;
            o.Python.ShutdownTimeout = TimeSpan.FromSeconds(5);
            o.PersistentCacheDirectory = Path.Combine(folder.Root, "cache");
            o.MaxStartJitter = TimeSpan.Zero;
            configure?.Invoke(o);
        });
        var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        return new HostedChecks(host, sender, time);
    }

    /// <summary>The status of the only instance of <paramref name="checkName"/>.</summary>
    public CheckStatus StatusOf(string checkName) => Status.GetAll().Single(s => s.CheckName == checkName);

    /// <summary>Commits the sender received from instances of <paramref name="checkName"/>.</summary>
    public int CommitsOf(string checkName) => Sender.Commits.Count(c => c.CheckName == checkName);

    /// <summary>
    /// Waits until the scheduler has released every instance of <paramref name="checkName"/>: its last run is recorded and
    /// a due time reached now would start a new run instead of being counted as skipped.
    /// </summary>
    public void WaitUntilIdle(string checkName)
    {
        var scheduler = (PyChecks.Scheduling.CheckScheduler)Scheduler;
        Eventually.That(() => Status.GetAll().Where(s => s.CheckName == checkName).All(s => scheduler.IsIdle(s.CheckId)), $"every instance of '{checkName}' idle");
    }

    /// <summary>
    /// Waits until the scheduler's loop has seen the fake clock at <paramref name="elapsed"/> after its start: every run due
    /// by then has been started or counted skipped. The loop wakes only for a due run or timeout, so one must fall then.
    /// </summary>
    public void WaitForSchedulerAt(TimeSpan elapsed)
    {
        var scheduler = (PyChecks.Scheduling.CheckScheduler)Scheduler;
        long target = ((Time ?? throw new InvalidOperationException("The host runs on the real clock.")).Start + elapsed).UtcTicks;
        Eventually.That(() => scheduler.SweptTo >= target, $"the scheduler's loop at {elapsed} on the fake clock");
    }

    /// <summary>Moves the fake clock forward.</summary>
    public void Advance(TimeSpan by) => (Time ?? throw new InvalidOperationException("The host runs on the real clock.")).Advance(by);

    public void Dispose()
    {
        Host.StopAsync().GetAwaiter().GetResult();
        Host.Dispose();
    }
}
