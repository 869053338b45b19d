namespace PyChecks;

/// <summary>
/// Receives what checks submit. Register any number (<c>services.AddSingleton&lt;ISender, MySender&gt;()</c>);
/// each one receives every sample.
/// </summary>
/// <remarks>
/// <para>
/// <b>When.</b> Samples arrive while the check runs, on the thread running it and with Python's GIL
/// held: keep these methods fast and non-blocking (append to a buffer, enqueue), never do I/O in
/// them. <see cref="Commit"/> follows at the end of every run, failed runs included — samples a check
/// submitted before raising are kept — and is the place to flush.
/// </para>
/// <para>
/// <b>Threads.</b> The calls for one check run, <see cref="Commit"/> included, come one at a time from the
/// thread running it, with the GIL held (so flushing on <see cref="Commit"/> should hand the batch to
/// another thread rather than block on I/O). Samples from threads a check started arrive on those
/// threads. Runs of different checks happen on several threads: an implementation must be thread-safe.
/// </para>
/// <para>
/// <b>Lifetimes.</b> The ref-struct samples are valid only during the call: copy what you keep.
/// </para>
/// <para>
/// <b>Failures.</b> An exception thrown here never reaches Python or native code: it is logged and
/// counted, and the other senders still receive the sample.
/// </para>
/// </remarks>
public interface ISender
{
    /// <summary>A metric was submitted (<c>self.gauge(...)</c>, <c>aggregator.submit_metric(...)</c>).</summary>
    void SubmitMetric(in MetricSample sample);

    /// <summary>A service check was submitted.</summary>
    void SubmitServiceCheck(in ServiceCheckSample sample);

    /// <summary>An event was submitted.</summary>
    void SubmitEvent(CheckEvent checkEvent);

    /// <summary>A histogram bucket was submitted.</summary>
    void SubmitHistogramBucket(in HistogramBucketSample sample);

    /// <summary>A check sent a log line (<c>datadog_agent.send_log</c>). Does nothing unless implemented.</summary>
    void SubmitLog(CheckLog log)
    {
    }

    /// <summary>A check set tags for another host (<c>datadog_agent.set_external_tags</c>). Does nothing unless implemented.</summary>
    void SetExternalTags(ExternalHostTags tags)
    {
    }

    /// <summary>A check submitted an event-platform event (Database Monitoring samples, metrics, activity…). Does nothing unless implemented.</summary>
    void SubmitEventPlatformEvent(EventPlatformEvent platformEvent)
    {
    }

    /// <summary>A run of a check ended; everything it submitted has been delivered.</summary>
    void Commit(in CheckRunSummary run);
}
