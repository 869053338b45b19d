namespace PyChecks.Orleans.Tests.Hosts;

/// <summary>A check the host provides (no Python) for one configured instance: each run calls <see cref="Run"/>.</summary>
public abstract class HostCheck(CheckInstanceConfig config) : ICheck
{
    public string Id => config.CheckId;

    public string Name => config.CheckName;

    public string Version => "1.0";

    public TimeSpan Interval => config.Interval;

    public string Source => "host:" + config.CheckName;

    public IReadOnlyList<string> LoadWarnings => [];

    public IReadOnlyDictionary<string, string> Metadata => new Dictionary<string, string>();

    /// <summary>The instance this check runs.</summary>
    protected CheckInstanceConfig Config => config;

    public Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var started = DateTimeOffset.UtcNow;
        Run();
        return Task.FromResult(new CheckRunResult { CheckId = Id, StartedAt = started, Duration = DateTimeOffset.UtcNow - started });
    }

    public void Cancel()
    {
    }

    public void Dispose() => GC.SuppressFinalize(this);

    /// <summary>What one run does.</summary>
    protected abstract void Run();
}
