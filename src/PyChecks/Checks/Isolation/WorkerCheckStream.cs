namespace PyChecks.Checks.Isolation;

/// <summary>
/// In a worker: what one loaded instance submits, encoded into one <see cref="MessageType.Submissions"/> frame that is
/// sent at the end of the run, in the same write as the run's result (<see cref="FlushWith"/>), or when it reaches
/// <see cref="WorkerProtocol.FlushBytes"/>. Its string table lives as long as the instance, so a run that submits the
/// same names and tags as the last one sends only their ids.
/// </summary>
internal sealed class WorkerCheckStream(uint handle, FrameChannel channel, SubmissionJournal journal) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly FrameWriter _writer = new(256);
    private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
    private bool _disposed;

    public uint Handle => handle;

    public void Metric(in MetricSample sample)
    {
        lock (_lock)
        {
            Open(SubmissionKind.Metric);
            _writer.WriteByte((byte)sample.Type);
            Ref(sample.Name);
            _writer.WriteDouble(sample.Value);
            Ref(sample.Hostname);
            _writer.WriteBool(sample.FlushFirstValue);
            Tags(sample.Tags);
            Append();
        }
    }

    public void ServiceCheck(in ServiceCheckSample sample)
    {
        lock (_lock)
        {
            Open(SubmissionKind.ServiceCheck);
            Ref(sample.Name);
            _writer.WriteVarInt((long)sample.Status);
            Ref(sample.Hostname);
            _writer.WriteString(sample.Message);
            Tags(sample.Tags);
            Append();
        }
    }

    public void HistogramBucket(in HistogramBucketSample sample)
    {
        lock (_lock)
        {
            Open(SubmissionKind.HistogramBucket);
            Ref(sample.Name);
            _writer.WriteVarInt(sample.Value);
            _writer.WriteDouble(sample.LowerBound);
            _writer.WriteDouble(sample.UpperBound);
            _writer.WriteBool(sample.Monotonic);
            Ref(sample.Hostname);
            Tags(sample.Tags);
            Append();
        }
    }

    public void Event(CheckEvent e)
    {
        lock (_lock)
        {
            Open(SubmissionKind.Event);
            _writer.WriteString(e.Title);
            _writer.WriteString(e.Text);
            _writer.WriteVarInt(e.Timestamp);
            _writer.WriteString(e.Priority);
            Ref(e.Host);
            _writer.WriteString(e.AlertType);
            _writer.WriteString(e.AggregationKey);
            _writer.WriteString(e.SourceTypeName);
            _writer.WriteString(e.EventType);
            _writer.WriteVarUInt((ulong)e.Tags.Count);
            foreach (string tag in e.Tags)
            {
                Ref(tag);
            }

            Append();
        }
    }

    public void Log(CheckLog log)
    {
        lock (_lock)
        {
            Open(SubmissionKind.Log);
            _writer.WriteString(log.Message);
            Append();
        }
    }

    public void ExternalTags(ExternalHostTags tags)
    {
        lock (_lock)
        {
            Open(SubmissionKind.ExternalTags);
            Ref(tags.Hostname);
            Ref(tags.SourceType);
            _writer.WriteVarUInt((ulong)tags.Tags.Count);
            foreach (string tag in tags.Tags)
            {
                Ref(tag);
            }

            Append();
        }
    }

    public void EventPlatformEvent(EventPlatformEvent e)
    {
        lock (_lock)
        {
            Open(SubmissionKind.EventPlatformEvent);
            Ref(e.EventType);
            _writer.WriteBytes(e.RawEvent.Span);
            Append();
        }
    }

    public void Commit(in CheckRunSummary run)
    {
        lock (_lock)
        {
            Open(SubmissionKind.Commit);
            _writer.WriteBool(run.Succeeded);
            _writer.WriteVarUInt((ulong)run.Metrics);
            _writer.WriteVarUInt((ulong)run.ServiceChecks);
            _writer.WriteVarUInt((ulong)run.Events);
            _writer.WriteVarUInt((ulong)run.HistogramBuckets);
            // Not sent yet: the run's end sends it with the result, one write and one wake-up of the host's reader
            // instead of two, and no system call while the run holds the GIL. The journal keeps it meanwhile.
            Append();
        }
    }

    /// <summary>
    /// At the end of a run: sends what is buffered, then <paramref name="frames"/> (the run's result), in one write when
    /// they fit; a run ending without a commit still delivers its samples before its result.
    /// </summary>
    public void FlushWith(ReadOnlySpan<byte> frames)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                channel.Send(frames);
                return;
            }

            journal.Flush(channel, frames);
        }
    }

    private void Open(SubmissionKind kind)
    {
        _writer.Clear();
        _writer.WriteByte((byte)kind);
    }

    private void Ref(string value) => StringTable.Write(_writer, _strings, value);

    private void Tags(ReadOnlySpan<string> tags)
    {
        _writer.WriteVarUInt((ulong)tags.Length);
        foreach (string tag in tags)
        {
            Ref(tag);
        }
    }

    // The record goes into the journal, which the host reads if this process dies before the journal is sent.
    private void Append()
    {
        if (!_disposed)
        {
            journal.Append(_writer.Written, channel);
        }
    }

    // Under the lock: the host may unload the instance as soon as a run's result has arrived, while the thread that sent
    // it still updates the journal's header; unmapping the journal under its feet would crash the worker.
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            journal.Dispose();
        }
    }
}
