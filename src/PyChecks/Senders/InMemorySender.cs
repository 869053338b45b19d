namespace PyChecks;

/// <summary>
/// An <see cref="ISender"/> that keeps copies of everything it receives, for tests and samples.
/// Thread-safe; unbounded (clear it with <see cref="Clear"/>).
/// </summary>
public sealed class InMemorySender : ISender
{
    private readonly Lock _lock = new();
    private readonly List<RecordedMetric> _metrics = [];
    private readonly List<RecordedServiceCheck> _serviceChecks = [];
    private readonly List<CheckEvent> _events = [];
    private readonly List<RecordedHistogramBucket> _buckets = [];
    private readonly List<CheckRunSummary> _commits = [];
    private readonly List<CheckLog> _logs = [];
    private readonly List<ExternalHostTags> _externalTags = [];
    private readonly List<EventPlatformEvent> _platformEvents = [];

    /// <summary>The metrics received, in order.</summary>
    public IReadOnlyList<RecordedMetric> Metrics => Snapshot(_metrics);

    /// <summary>The service checks received, in order.</summary>
    public IReadOnlyList<RecordedServiceCheck> ServiceChecks => Snapshot(_serviceChecks);

    /// <summary>The events received, in order.</summary>
    public IReadOnlyList<CheckEvent> Events => Snapshot(_events);

    /// <summary>The histogram buckets received, in order.</summary>
    public IReadOnlyList<RecordedHistogramBucket> HistogramBuckets => Snapshot(_buckets);

    /// <summary>The log lines received, in order.</summary>
    public IReadOnlyList<CheckLog> Logs => Snapshot(_logs);

    /// <summary>The external host tags received, in order.</summary>
    public IReadOnlyList<ExternalHostTags> ExternalTags => Snapshot(_externalTags);

    /// <summary>The event-platform events received, in order.</summary>
    public IReadOnlyList<EventPlatformEvent> EventPlatformEvents => Snapshot(_platformEvents);

    /// <summary>The commits received (one per check run), in order.</summary>
    public IReadOnlyList<CheckRunSummary> Commits => Snapshot(_commits);

    /// <inheritdoc />
    public void SubmitMetric(in MetricSample sample)
    {
        var copy = new RecordedMetric
        {
            CheckId = sample.CheckId,
            Type = sample.Type,
            Name = sample.Name,
            Value = sample.Value,
            Tags = sample.Tags.ToArray(),
            Hostname = sample.Hostname,
            FlushFirstValue = sample.FlushFirstValue,
        };
        lock (_lock)
        {
            _metrics.Add(copy);
        }
    }

    /// <inheritdoc />
    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
        var copy = new RecordedServiceCheck
        {
            CheckId = sample.CheckId,
            Name = sample.Name,
            Status = sample.Status,
            Tags = sample.Tags.ToArray(),
            Hostname = sample.Hostname,
            Message = sample.Message,
        };
        lock (_lock)
        {
            _serviceChecks.Add(copy);
        }
    }

    /// <inheritdoc />
    public void SubmitEvent(CheckEvent checkEvent)
    {
        lock (_lock)
        {
            _events.Add(checkEvent);
        }
    }

    /// <inheritdoc />
    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
        var copy = new RecordedHistogramBucket
        {
            CheckId = sample.CheckId,
            Name = sample.Name,
            Value = sample.Value,
            LowerBound = sample.LowerBound,
            UpperBound = sample.UpperBound,
            Monotonic = sample.Monotonic,
            Hostname = sample.Hostname,
            Tags = sample.Tags.ToArray(),
        };
        lock (_lock)
        {
            _buckets.Add(copy);
        }
    }

    /// <inheritdoc />
    public void SubmitLog(CheckLog log) => Add(_logs, log);

    /// <inheritdoc />
    public void SetExternalTags(ExternalHostTags tags) => Add(_externalTags, tags);

    /// <inheritdoc />
    public void SubmitEventPlatformEvent(EventPlatformEvent platformEvent) => Add(_platformEvents, platformEvent);

    /// <inheritdoc />
    public void Commit(in CheckRunSummary run)
    {
        lock (_lock)
        {
            _commits.Add(run);
        }
    }

    /// <summary>Forgets everything received so far.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _metrics.Clear();
            _serviceChecks.Clear();
            _events.Clear();
            _buckets.Clear();
            _commits.Clear();
            _logs.Clear();
            _externalTags.Clear();
            _platformEvents.Clear();
        }
    }

    private void Add<T>(List<T> list, T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            list.Add(item);
        }
    }

    private T[] Snapshot<T>(List<T> list)
    {
        lock (_lock)
        {
            return [.. list];
        }
    }
}
