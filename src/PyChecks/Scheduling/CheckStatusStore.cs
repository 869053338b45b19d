using System.Collections.Concurrent;

namespace PyChecks.Scheduling;

/// <summary>The scheduler's status records: one mutable entry per instance, read as immutable snapshots.</summary>
internal sealed class CheckStatusStore : ICheckStatusStore
{
    private readonly ConcurrentDictionary<string, CheckStatusEntry> _entries = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<string> _loadErrors = [];

    public IReadOnlyList<string> LoadErrors => _loadErrors;

    public IReadOnlyList<CheckStatus> GetAll() =>
        [.. _entries.Values.Select(static e => e.Snapshot()).OrderBy(static s => s.CheckId, StringComparer.Ordinal)];

    public CheckStatus? Find(string checkId)
    {
        ArgumentNullException.ThrowIfNull(checkId);
        return _entries.TryGetValue(checkId, out var entry) ? entry.Snapshot() : null;
    }

    public CheckStatusEntry Add(ICheck check, string configSource, TimeSpan timeout)
    {
        var entry = new CheckStatusEntry(check, configSource, timeout);
        _entries[check.Id] = entry;
        return entry;
    }

    public void Remove(string checkId) => _entries.TryRemove(checkId, out _);

    public void SetLoadErrors(IReadOnlyList<string> errors) => _loadErrors = errors;
}
