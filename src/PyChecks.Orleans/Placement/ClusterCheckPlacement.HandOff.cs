using System.Collections.Concurrent;

namespace PyChecks.Orleans.Placement;

/// <summary>
/// The cut of a graceful stop's hand-over: an instance that this host hands over runs here until a moment
/// (<see cref="ClusterCheckOptions.HandOffLead"/> after its grain's deactivation began), and on the host it goes to from
/// its first beat at or after that moment, which its migration carries.
/// </summary>
internal sealed partial class ClusterCheckPlacement
{
    // Cluster checks this host hands over, migrating away: still scheduled here until their cut; each with its cut and
    // the task that unschedules it then.
    private readonly ConcurrentDictionary<string, HandOff> _handingOff = new(StringComparer.Ordinal);

    // Cluster checks that arrived by a migration from a host that ran them until a cut: their first beat here is the
    // first at or after it (see FirstRunDelay).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _notBefore = new(StringComparer.Ordinal);
    private volatile bool _schedulerStopping;

    /// <summary>A cluster check this host hands over runs here until its cut: the host it goes to runs it from then on.</summary>
    public override DateTimeOffset? RunsUntil(CheckInstanceConfig instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return _handingOff.TryGetValue(instance.CheckId, out var handOff) ? handOff.Cut : null;
    }

    /// <summary>The scheduler stops: it runs nothing more here, so a hand-over from now on has no cut.</summary>
    public override void OnStopping() => _schedulerStopping = true;

    /// <summary>
    /// The cut until which this host runs <paramref name="checkId"/>, handing it over (null when it does not): the
    /// migration carries it to the host it goes to.
    /// </summary>
    public DateTimeOffset? HandOffCut(string checkId) => _handingOff.TryGetValue(checkId, out var handOff) ? handOff.Cut : null;

    /// <summary>Completes once every cluster check this host hands over has reached its cut and been unscheduled here.</summary>
    public Task HandOffsCompleted() => Task.WhenAll(_handingOff.Values.Select(static h => h.Unscheduled));

    // A graceful stop's migration, while this host's scheduler still runs: the instance runs on here until its cut.
    private bool HandsOffWithCut(DeactivationReasonCode reason) =>
        reason == DeactivationReasonCode.Migrating && Leaving && !_schedulerStopping && _handOffLead > TimeSpan.Zero;

    // Keeps checkId scheduled here until its cut (its runs due from then on do not start here), then unschedules it.
    private Task HandOffAsync(string checkId)
    {
        var handOff = new HandOff(DateTimeOffset.UtcNow + _handOffLead);
        _handingOff[checkId] = handOff;
        handOff.Unscheduled = CutAsync(checkId, handOff);
        return NotifyChangedAsync([checkId]);
    }

    // Back here before its cut (its migration did not happen): it never stopped running, and runs on past the cut.
    private bool TryTakeBack(string checkId, out Task applied)
    {
        if (_handingOff.TryRemove(checkId, out _))
        {
            Interlocked.Decrement(ref _movedAway);
            applied = NotifyChangedAsync([checkId]);
            return true;
        }

        applied = Task.CompletedTask;
        return false;
    }

    // When the first run of checkId here is due, from now: its first beat at or after the cut it arrived with, if any.
    private TimeSpan? FirstBeat(string checkId, TimeSpan interval, DateTimeOffset now)
    {
        var from = _notBefore.TryRemove(checkId, out var cut) && cut > now ? cut : now;
        if (interval > TimeSpan.Zero)
        {
            return from - now + Beat(checkId, interval, from);
        }

        return from > now ? from - now : null;
    }

    private async Task CutAsync(string checkId, HandOff handOff)
    {
        var wait = handOff.Cut - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }

        // Not if it came back meanwhile (TakeAsync took the entry): then it runs on.
        if (_handingOff.TryRemove(new KeyValuePair<string, HandOff>(checkId, handOff)))
        {
            await NotifyChangedAsync([checkId]).ConfigureAwait(false);
        }
    }

    private sealed class HandOff(DateTimeOffset cut)
    {
        public DateTimeOffset Cut { get; } = cut;

        public Task Unscheduled { get; set; } = Task.CompletedTask;
    }
}
