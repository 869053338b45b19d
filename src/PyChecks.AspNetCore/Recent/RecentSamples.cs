namespace PyChecks.AspNetCore.Recent;

/// <summary>
/// An <see cref="ISender"/> that keeps the latest metrics and service checks for <c>GET /metrics/recent</c>: at most
/// <see cref="PyChecksApiOptions.RecentSamplesPerCheck"/> per check name and
/// <see cref="PyChecksApiOptions.RecentSamplesTotal"/> in all, the oldest going first. Thread-safe; one short lock per sample.
/// </summary>
internal sealed class RecentSamples : ISender
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<RecentSample>> _byCheck = new(StringComparer.Ordinal);

    // Every sample kept, in arrival order, as (sequence, check name); entries already dropped by the per-check limit are
    // skipped when met, and purged when they pile up, so this queue stays within twice the total limit.
    private readonly Queue<(long Sequence, string CheckName)> _order = new();
    private readonly TimeProvider _time;
    private readonly int _perCheck;
    private readonly int _total;
    private long _sequence;
    private int _count;

    public RecentSamples(TimeProvider time, int perCheck, int total)
    {
        _time = time;
        _perCheck = perCheck;
        _total = total;
    }

    /// <summary>The samples kept, oldest first: of one check name, or of all when <paramref name="checkName"/> is <see langword="null"/>.</summary>
    public IReadOnlyList<RecentSample> Get(string? checkName)
    {
        lock (_lock)
        {
            if (checkName is not null)
            {
                return _byCheck.TryGetValue(checkName, out var queue) ? [.. queue] : [];
            }

            return [.. _byCheck.Values.SelectMany(static q => q).OrderBy(static s => s.Sequence)];
        }
    }

    /// <summary>How many samples are kept now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void SubmitMetric(in MetricSample sample) =>
        Add(new RecentSample
        {
            Kind = RecentSampleKind.Metric,
            CheckId = sample.CheckId,
            CheckName = CheckNameOf(sample.CheckId),
            Name = sample.Name,
            Timestamp = _time.GetUtcNow(),
            MetricType = sample.Type,
            Value = sample.Value,
            Tags = sample.Tags.ToArray(),
            Hostname = sample.Hostname,
        });

    public void SubmitServiceCheck(in ServiceCheckSample sample) =>
        Add(new RecentSample
        {
            Kind = RecentSampleKind.ServiceCheck,
            CheckId = sample.CheckId,
            CheckName = CheckNameOf(sample.CheckId),
            Name = sample.Name,
            Timestamp = _time.GetUtcNow(),
            Status = sample.Status,
            Message = sample.Message,
            Tags = sample.Tags.ToArray(),
            Hostname = sample.Hostname,
        });

    public void SubmitEvent(CheckEvent checkEvent)
    {
        // Events are not samples of a series: the recent view keeps metrics and service checks only.
    }

    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
        // Buckets come in bulk from OpenMetrics checks and would push everything else out.
    }

    public void Commit(in CheckRunSummary run)
    {
    }

    /// <summary>A check id is <c>name:…</c>; its name is what comes before the first colon.</summary>
    internal static string CheckNameOf(string checkId)
    {
        int colon = checkId.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? checkId : checkId[..colon];
    }

    private void Add(RecentSample sample)
    {
        lock (_lock)
        {
            sample.Sequence = ++_sequence;
            if (!_byCheck.TryGetValue(sample.CheckName, out var queue))
            {
                queue = new Queue<RecentSample>();
                _byCheck.Add(sample.CheckName, queue);
            }

            queue.Enqueue(sample);
            _order.Enqueue((sample.Sequence, sample.CheckName));
            _count++;
            if (queue.Count > _perCheck)
            {
                queue.Dequeue();
                _count--;
            }

            while (_count > _total && _order.TryDequeue(out var oldest))
            {
                if (_byCheck.TryGetValue(oldest.CheckName, out var owner) && owner.TryPeek(out var head) && head.Sequence == oldest.Sequence)
                {
                    owner.Dequeue();
                    _count--;
                    if (owner.Count == 0)
                    {
                        _byCheck.Remove(oldest.CheckName);
                    }
                }
            }

            if (_order.Count > 2 * Math.Max(_count, 16))
            {
                Purge();
            }
        }
    }

    /// <summary>Drops the order entries of samples the per-check limit already dropped.</summary>
    private void Purge()
    {
        int live = _order.Count;
        for (int i = 0; i < live; i++)
        {
            var entry = _order.Dequeue();
            if (_byCheck.TryGetValue(entry.CheckName, out var queue) && queue.TryPeek(out var head) && entry.Sequence >= head.Sequence)
            {
                _order.Enqueue(entry);
            }
        }
    }
}
