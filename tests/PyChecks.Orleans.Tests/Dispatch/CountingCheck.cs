using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace PyChecks.Orleans.Tests.Dispatch;

/// <summary>One run of a <see cref="CountingCheck"/>: its check id and when it started (unix ms).</summary>
public readonly record struct CountedRun(string CheckId, long UnixMs);

/// <summary>Every run of the <see cref="CountingCheck"/>s of a process, whichever host's scheduler made it, and every instance loaded.</summary>
public sealed class RunBook
{
    private readonly ConcurrentQueue<CountedRun> _runs = new();
    private readonly ConcurrentDictionary<string, CheckInstanceConfig> _loaded = new(StringComparer.Ordinal);

    /// <summary>The instances loaded so far, by check id.</summary>
    public IReadOnlyDictionary<string, CheckInstanceConfig> Loaded => _loaded;

    public void Add(string checkId) => _runs.Enqueue(new CountedRun(checkId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    public void Loading(CheckInstanceConfig config) => _loaded[config.CheckId] = config;

    public List<CountedRun> Since(long unixMs) => [.. _runs.Where(r => r.UnixMs >= unixMs)];

    public void Clear()
    {
        _runs.Clear();
        _loaded.Clear();
    }
}

/// <summary>A check the host provides (no Python) that writes each of its runs in a <see cref="RunBook"/>.</summary>
public sealed class CountingCheck(CheckInstanceConfig config, RunBook book) : Hosts.HostCheck(config)
{
    protected override void Run() => book.Add(Id);
}

/// <summary>Loads a <see cref="CountingCheck"/> for each of the given check names.</summary>
public sealed class CountingCheckLoader(RunBook book, IReadOnlySet<string> names) : ICheckLoader
{
    public string Name => "counting";

    public bool TryLoad(CheckInstanceConfig config, [NotNullWhen(true)] out ICheck? check, [NotNullWhen(false)] out string? reason)
    {
        if (!names.Contains(config.CheckName))
        {
            (check, reason) = (null, "not a counting check");
            return false;
        }

        book.Loading(config);
        (check, reason) = (new CountingCheck(config, book), null);
        return true;
    }
}
