using System.Collections.Concurrent;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// In a worker: the only sender of its <see cref="CheckHost"/>. Each submission goes to the stream of the instance
/// that made it (by check id), which sends it to the host; the host's senders receive it there.
/// </summary>
internal sealed class WorkerSender : ISender
{
    private readonly ConcurrentDictionary<string, WorkerCheckStream> _streams = new(StringComparer.Ordinal);

    public void Register(string checkId, WorkerCheckStream stream) => _streams[checkId] = stream;

    public void Unregister(string checkId, WorkerCheckStream stream) => _streams.TryRemove(new KeyValuePair<string, WorkerCheckStream>(checkId, stream));

    public void SubmitMetric(in MetricSample sample) => StreamOf(sample.CheckId)?.Metric(sample);

    public void SubmitServiceCheck(in ServiceCheckSample sample) => StreamOf(sample.CheckId)?.ServiceCheck(sample);

    public void SubmitEvent(CheckEvent checkEvent) => StreamOf(checkEvent.CheckId)?.Event(checkEvent);

    public void SubmitHistogramBucket(in HistogramBucketSample sample) => StreamOf(sample.CheckId)?.HistogramBucket(sample);

    public void SubmitLog(CheckLog log) => StreamOf(log.CheckId)?.Log(log);

    public void SetExternalTags(ExternalHostTags tags) => StreamOf(tags.CheckId)?.ExternalTags(tags);

    public void SubmitEventPlatformEvent(EventPlatformEvent platformEvent) => StreamOf(platformEvent.CheckId)?.EventPlatformEvent(platformEvent);

    public void Commit(in CheckRunSummary run) => StreamOf(run.CheckId)?.Commit(run);

    private WorkerCheckStream? StreamOf(string checkId) => _streams.TryGetValue(checkId, out var stream) ? stream : null;
}
