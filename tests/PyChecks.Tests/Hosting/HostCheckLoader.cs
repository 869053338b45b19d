using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace PyChecks.Tests.Hosting;

/// <summary>Loads the checks whose name starts with <c>host_</c> as <see cref="HostCheck"/>s, and keeps each one it loaded.</summary>
public sealed class HostCheckLoader(IEnumerable<ISender> senders, TimeProvider time) : ICheckLoader
{
    private readonly ConcurrentQueue<HostCheck> _loaded = new();

    public string Name => "host";

    /// <summary>Every instance loaded, in order (scheduled ones and run-once ones).</summary>
    public IReadOnlyList<HostCheck> Loaded => [.. _loaded];

    public bool TryLoad(CheckInstanceConfig config, [NotNullWhen(true)] out ICheck? check, [NotNullWhen(false)] out string? reason)
    {
        if (!config.CheckName.StartsWith("host_", StringComparison.Ordinal))
        {
            check = null;
            reason = "not a host check";
            return false;
        }

        var loaded = new HostCheck(config, [.. senders], time);
        _loaded.Enqueue(loaded);
        check = loaded;
        reason = null;
        return true;
    }
}
