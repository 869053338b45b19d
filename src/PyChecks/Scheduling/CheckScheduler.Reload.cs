namespace PyChecks.Scheduling;

/// <summary>
/// Reloading the configuration: the wanted instances (those of them that run here, when a <see cref="CheckPlacement"/>
/// shares them out) diffed against the scheduled ones, which are added, replaced or removed.
/// </summary>
internal sealed partial class CheckScheduler
{
    private CheckReloadResult Reload()
    {
        var (instances, readErrors) = _host.ReadConfiguredInstances();
        var errors = readErrors.Select(static e => e.Message).ToList();
        var changedModules = _host.InvalidateChangedModules();

        var wanted = new Dictionary<string, CheckInstanceConfig>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (!wanted.TryAdd(instance.CheckId, instance))
            {
                errors.Add($"{instance.Source}{(instance.Line is int line ? $", line {line}" : string.Empty)}: instance {instance.CheckId} is configured twice (also in {wanted[instance.CheckId].Source}); the second is ignored");
            }
        }

        _configured = wanted;
        var here = _placement is null ? wanted : wanted.Where(w => RunsHere(w.Value)).ToDictionary(StringComparer.Ordinal);
        var removed = new List<string>();
        var replaced = new List<string>();
        var added = new List<string>();
        foreach (var (id, existing) in _checks)
        {
            if (!here.TryGetValue(id, out var config))
            {
                Unschedule(existing);
                removed.Add(id);
            }
            else if (changedModules.Contains(existing.Check.Name))
            {
                Unschedule(existing);
                if (TrySchedule(config, errors))
                {
                    replaced.Add(id);
                }
                else
                {
                    removed.Add(id);
                }
            }
        }

        int unchanged = 0;
        foreach (var (id, config) in here)
        {
            if (_checks.ContainsKey(id))
            {
                unchanged += replaced.Contains(id) ? 0 : 1;
            }
            else if (TrySchedule(config, errors))
            {
                added.Add(id);
            }
        }

        foreach (string error in errors)
        {
            Log.CheckLoadFailed(_logger, error);
        }

        _placement?.OnConfigured(wanted);
        _store.SetLoadErrors(errors);
        Log.Reloaded(_logger, added.Count, removed.Count, replaced.Count, unchanged, errors.Count);
        return new CheckReloadResult(added, removed, replaced, unchanged, errors);
    }

    private bool TrySchedule(CheckInstanceConfig config, List<string> errors)
    {
        ICheck loaded;
        try
        {
            if (_placement?.TagsFor(config) is { Count: > 0 } tags)
            {
                config = config.WithTags(tags);
            }

            loaded = _host.Load(config);
        }
        catch (CheckLoadException e)
        {
            errors.Add(e.Message);
            return false;
        }

        var timeout = config.RunTimeout ?? _options.RunTimeout ?? loaded.Interval;
        long jitterLimit = Math.Min(loaded.Interval.Ticks, _options.MaxStartJitter.Ticks);
        var firstRun = _placement?.FirstRunDelay(config, loaded.Interval, _time.GetUtcNow()) is { } placed && placed >= TimeSpan.Zero
            ? placed
            : TimeSpan.FromTicks(jitterLimit <= 0 ? 0 : Random.Shared.NextInt64(jitterLimit + 1));
        var check = new ScheduledCheck(loaded, timeout, _store.Add(loaded, config.Source, timeout))
        {
            NextDue = Now() + firstRun.Ticks,
            StopAt = StopAt(config),
        };
        _checks[loaded.Id] = check;
        _added.Enqueue(check);
        Wake();
        Log.CheckScheduled(_logger, loaded.Id, loaded.Interval, timeout, firstRun);
        return true;
    }

    // When the instance's runs stop starting here (see CheckPlacement.RunsUntil), in clock ticks.
    private long StopAt(CheckInstanceConfig config) => _placement?.RunsUntil(config) is { } until ? until.UtcTicks : long.MaxValue;

    private void Unschedule(ScheduledCheck check)
    {
        check.Removed = true;
        _checks.TryRemove(new KeyValuePair<string, ScheduledCheck>(check.Check.Id, check));
        _store.Remove(check.Check.Id);
        check.Status.Stopped();
        if (Volatile.Read(ref check.Busy) == 0)
        {
            check.DisposeOnce();
        }

        Log.CheckUnscheduled(_logger, check.Check.Id);
    }
}
