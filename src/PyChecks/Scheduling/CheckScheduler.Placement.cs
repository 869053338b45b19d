using System.Collections.Concurrent;

namespace PyChecks.Scheduling;

/// <summary>Which configured instances run here (<see cref="CheckPlacement"/>), and changes of that between reloads.</summary>
internal sealed partial class CheckScheduler
{
    private readonly CheckPlacement? _placement;
    private readonly ConcurrentQueue<(IReadOnlyCollection<string> Ids, TaskCompletionSource Applied)> _placementChanges = new();
    private int _applyingPlacement;

    // Every configured instance by check id, whether it runs here or not; under _reloadLock.
    private Dictionary<string, CheckInstanceConfig> _configured = new(StringComparer.Ordinal);

    private bool RunsHere(CheckInstanceConfig config) => _placement?.RunsHere(config) ?? true;

    /// <summary>Queues the placement's changed instances, and applies them off the caller's thread, one batch at a time.</summary>
    private Task PlacementChanged(IReadOnlyCollection<string> checkIds)
    {
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _placementChanges.Enqueue(([.. checkIds], applied));
        if (Interlocked.Exchange(ref _applyingPlacement, 1) == 0)
        {
            _ = Task.Run(ApplyPlacementChangesAsync);
        }

        return applied.Task;
    }

    private async Task ApplyPlacementChangesAsync()
    {
        while (true)
        {
            await _reloadLock.WaitAsync().ConfigureAwait(false);
            try
            {
                ApplyPlacementChanges();
            }
            catch (Exception e)
            {
                Log.CheckLoadFailed(_logger, $"applying a change of placement failed: {e.Message}");
            }
            finally
            {
                _reloadLock.Release();
            }

            // A change queued after the batch was taken, whose caller saw the flag still set, is applied by this loop.
            Volatile.Write(ref _applyingPlacement, 0);
            if (_placementChanges.IsEmpty || Interlocked.Exchange(ref _applyingPlacement, 1) != 0)
            {
                return;
            }
        }
    }

    private void ApplyPlacementChanges()
    {
        var errors = new List<string>();
        var applied = new List<TaskCompletionSource>();
        int added = 0, removed = 0;
        try
        {
            ApplyQueued(applied, errors, ref added, ref removed);
        }
        finally
        {
            foreach (var signal in applied)
            {
                signal.TrySetResult();
            }
        }

        foreach (string error in errors)
        {
            Log.CheckLoadFailed(_logger, error);
        }

        if (added + removed > 0)
        {
            Log.PlacementApplied(_logger, added, removed, _checks.Count);
        }
    }

    private void ApplyQueued(List<TaskCompletionSource> applied, List<string> errors, ref int added, ref int removed)
    {
        while (_placementChanges.TryDequeue(out var change))
        {
            applied.Add(change.Applied);
            foreach (string id in change.Ids)
            {
                if (_stopping || !_configured.TryGetValue(id, out var config))
                {
                    continue;
                }

                bool here = RunsHere(config);
                bool scheduled = _checks.TryGetValue(id, out var existing);
                if (here && scheduled)
                {
                    Volatile.Write(ref existing!.StopAt, StopAt(config)); // it may run here until a moment only, or again for good
                }
                else if (here && TrySchedule(config, errors))
                {
                    added++;
                }
                else if (!here && scheduled)
                {
                    Unschedule(existing!);
                    removed++;
                }
            }
        }
    }
}
