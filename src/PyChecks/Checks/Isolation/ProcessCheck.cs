using System.Buffers;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// A check instance that runs in a worker process: to the scheduler and the senders it is an <see cref="ICheck"/> like
/// any other. Runs go to the worker its pool assigned (sticky); what the check submits arrives on that worker's reading
/// thread and is handed to the host's senders there, in the order the check submitted it. A worker that ends during a
/// run fails the run, after delivering what arrived and a commit marked failed.
/// </summary>
internal sealed partial class ProcessCheck : ICheck, ICapturingCheck
{
    private readonly WorkerProcessPool _pool;
    private readonly SubmissionRouter _router;
    private readonly Lock _lock = new();
    private CheckIdentityInWorker _identity;
    private ISender[]? _capture;
    private PendingRun? _current;
    private int _disposed;
    private DateTime? _sourceStamp;

    public ProcessCheck(WorkerProcessPool pool, SubmissionRouter router, CheckInstanceConfig config, uint handle, WorkerProcessPool.Slot slot, CheckIdentityInWorker identity)
    {
        _pool = pool;
        _router = router;
        Config = config;
        Handle = handle;
        Slot = slot;
        _identity = identity;
        _sourceStamp = StampOf(identity.Source);
    }

    public CheckInstanceConfig Config { get; }

    /// <summary>The instance's number on the channel, the same on every worker it is loaded into.</summary>
    public uint Handle { get; }

    /// <summary>The worker slot the instance is assigned to.</summary>
    public WorkerProcessPool.Slot Slot { get; }

    /// <summary>The worker generation the instance is loaded into (0: none yet).</summary>
    public int LoadedGeneration { get; set; }

    /// <summary>The sequence number of the last frame of submissions received from the current worker (0: none).</summary>
    public uint ReceivedSequence { get; set; }

    /// <summary>The strings this instance's stream sent on its current worker.</summary>
    public List<string> ReceivedStrings { get; } = [];

    /// <summary>Runs that ended with the loss of their worker in a row; reset by a run that ends otherwise.</summary>
    public int ConsecutiveCrashes { get; private set; }

    /// <summary>Why runs are refused: the check crashed its worker too often; <see langword="null"/> when not quarantined.</summary>
    public string? Quarantined { get; private set; }

    /// <summary>Mean run time, seconds, for balancing (0 until a run ended).</summary>
    public double MeanRunSeconds { get; private set; }

    public string Id => _identity.Id;

    public string Name => _identity.Name;

    public string Version => _identity.Version;

    public TimeSpan Interval => _identity.Interval;

    public string Source => _identity.Source;

    public IReadOnlyList<string> LoadWarnings => _identity.LoadWarnings;

    public IReadOnlyDictionary<string, string> Metadata => _identity.Metadata;

    public void CaptureTo(ISender sender) => _capture = [sender];

    public Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Quarantined is { } reason)
        {
            return Task.FromResult(new CheckRunResult { CheckId = Id, Error = reason, StartedAt = DateTimeOffset.UtcNow });
        }

        var run = new PendingRun(this, _pool.NextRunId(), _router.TargetsOf(_capture));
        lock (_lock)
        {
            if (_current is not null)
            {
                throw new InvalidOperationException($"check {Id} is already running; a check instance runs one run at a time");
            }

            _current = run;
        }

        _pool.StartRun(this, run, cancellationToken);
        return run.Task;
    }

    public void Cancel()
    {
        PendingRun? run;
        lock (_lock)
        {
            run = _current;
        }

        run?.RequestCancel();
    }

    /// <summary>The run in progress with number <paramref name="runId"/>, if it is the current one.</summary>
    public PendingRun? Current(ulong runId)
    {
        lock (_lock)
        {
            return _current is { } run && run.RunId == runId ? run : null;
        }
    }

    /// <summary>Ends <paramref name="run"/> with <paramref name="result"/>; the worker was lost during it when <paramref name="crashed"/>.</summary>
    public void End(PendingRun run, CheckRunResult result, bool crashed)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_current, run))
            {
                return;
            }

            _current = null;
            Interlocked.Increment(ref Slot.Runs);
            if (crashed)
            {
                ConsecutiveCrashes++;
                if (_pool.Options.CrashesBeforeQuarantine is > 0 and int limit && ConsecutiveCrashes >= limit)
                {
                    Quarantined = $"quarantined: its last {ConsecutiveCrashes} runs each ended its worker process (the last: {result.Error}). " +
                        "Its runs are refused until the check is reloaded.";
                    _pool.Log.Quarantined(Id, ConsecutiveCrashes);
                }
            }
            else
            {
                ConsecutiveCrashes = 0;
                double seconds = result.Duration.TotalSeconds;
                MeanRunSeconds = MeanRunSeconds == 0 ? seconds : (MeanRunSeconds * 0.8) + (seconds * 0.2);
            }
        }

        run.Complete(result);
    }

    /// <summary>Delivers the records of a <see cref="MessageType.Submissions"/> frame (on the worker's reading thread).</summary>
    public void Receive(ref FrameReader reader)
    {
        PendingRun? run;
        lock (_lock)
        {
            run = _current;
        }

        var targets = run?.Targets ?? _router.TargetsOf(_capture);
        string checkId = Id;
        var strings = ReceivedStrings;
        string[] tagBuffer = ArrayPool<string>.Shared.Rent(16);
        try
        {
            while (!reader.AtEnd)
            {
                var kind = (SubmissionKind)reader.ReadByte();
                switch (kind)
                {
                    case SubmissionKind.Metric:
                        {
                            var type = (MetricType)reader.ReadByte();
                            string name = StringTable.Read(ref reader, strings);
                            double value = reader.ReadDouble();
                            string hostname = StringTable.Read(ref reader, strings);
                            bool flushFirst = reader.ReadBool();
                            var tags = ReadTags(ref reader, strings, ref tagBuffer);
                            _router.DeliverTo(targets, new MetricSample { CheckId = checkId, Type = type, Name = name, Value = value, Hostname = hostname, FlushFirstValue = flushFirst, Tags = tags });
                            run?.Counted(SubmissionKind.Metric);
                            break;
                        }

                    case SubmissionKind.ServiceCheck:
                        {
                            string name = StringTable.Read(ref reader, strings);
                            var status = (ServiceCheckStatus)reader.ReadVarInt();
                            string hostname = StringTable.Read(ref reader, strings);
                            string message = reader.ReadString() ?? string.Empty;
                            var tags = ReadTags(ref reader, strings, ref tagBuffer);
                            _router.DeliverTo(targets, new ServiceCheckSample { CheckId = checkId, Name = name, Status = status, Hostname = hostname, Message = message, Tags = tags });
                            run?.Counted(SubmissionKind.ServiceCheck);
                            break;
                        }

                    case SubmissionKind.HistogramBucket:
                        {
                            string name = StringTable.Read(ref reader, strings);
                            long value = reader.ReadVarInt();
                            double lower = reader.ReadDouble();
                            double upper = reader.ReadDouble();
                            bool monotonic = reader.ReadBool();
                            string hostname = StringTable.Read(ref reader, strings);
                            var tags = ReadTags(ref reader, strings, ref tagBuffer);
                            _router.DeliverTo(targets, new HistogramBucketSample { CheckId = checkId, Name = name, Value = value, LowerBound = lower, UpperBound = upper, Monotonic = monotonic, Hostname = hostname, Tags = tags });
                            run?.Counted(SubmissionKind.HistogramBucket);
                            break;
                        }

                    case SubmissionKind.Event:
                        {
                            var e = new CheckEvent
                            {
                                CheckId = checkId,
                                Title = reader.ReadString() ?? string.Empty,
                                Text = reader.ReadString() ?? string.Empty,
                                Timestamp = reader.ReadVarInt(),
                                Priority = reader.ReadString() ?? string.Empty,
                                Host = StringTable.Read(ref reader, strings),
                                AlertType = reader.ReadString() ?? string.Empty,
                                AggregationKey = reader.ReadString() ?? string.Empty,
                                SourceTypeName = reader.ReadString() ?? string.Empty,
                                EventType = reader.ReadString() ?? string.Empty,
                                Tags = ReadTags(ref reader, strings, ref tagBuffer).ToArray(),
                            };
                            _router.DeliverTo(targets, e);
                            run?.Counted(SubmissionKind.Event);
                            break;
                        }

                    case SubmissionKind.Log:
                        _router.DeliverTo(targets, new CheckLog { CheckId = checkId, Message = reader.ReadString() ?? string.Empty });
                        break;
                    case SubmissionKind.ExternalTags:
                        {
                            string hostname = StringTable.Read(ref reader, strings);
                            string sourceType = StringTable.Read(ref reader, strings);
                            string[] tags = ReadTags(ref reader, strings, ref tagBuffer).ToArray();
                            _router.DeliverTo(targets, new ExternalHostTags { CheckId = checkId, Hostname = hostname, SourceType = sourceType, Tags = tags });
                            break;
                        }

                    case SubmissionKind.EventPlatformEvent:
                        {
                            string eventType = StringTable.Read(ref reader, strings);
                            byte[] raw = reader.ReadBytes();
                            _router.DeliverTo(targets, new EventPlatformEvent { CheckId = checkId, EventType = eventType, RawEvent = raw });
                            break;
                        }

                    case SubmissionKind.Commit:
                        {
                            bool succeeded = reader.ReadBool();
                            var summary = new CheckRunSummary
                            {
                                CheckId = checkId,
                                CheckName = Name,
                                Succeeded = succeeded,
                                Metrics = (int)reader.ReadVarUInt(),
                                ServiceChecks = (int)reader.ReadVarUInt(),
                                Events = (int)reader.ReadVarUInt(),
                                HistogramBuckets = (int)reader.ReadVarUInt(),
                            };
                            _router.DeliverTo(targets, summary);
                            run?.Committed();
                            break;
                        }

                    default:
                        throw new InvalidDataException($"unknown submission kind {(byte)kind} from a worker");
                }
            }
        }
        finally
        {
            ArrayPool<string>.Shared.Return(tagBuffer, clearArray: true);
        }
    }

    private static ReadOnlySpan<string> ReadTags(ref FrameReader reader, List<string> strings, ref string[] buffer)
    {
        int count = reader.ReadCount();
        if (count > buffer.Length)
        {
            ArrayPool<string>.Shared.Return(buffer, clearArray: true);
            buffer = ArrayPool<string>.Shared.Rent(count);
        }

        for (int i = 0; i < count; i++)
        {
            buffer[i] = StringTable.Read(ref reader, strings);
        }

        return buffer.AsSpan(0, count);
    }

    /// <summary>
    /// The worker ended during <paramref name="run"/>: what arrived was delivered; the senders get a commit marked failed
    /// (unless the run had committed), and the run fails with <paramref name="fault"/>.
    /// </summary>
    public void Lost(PendingRun run, string fault)
    {
        if (!run.HasCommitted)
        {
            _router.DeliverTo(run.Targets, new CheckRunSummary
            {
                CheckId = Id,
                CheckName = Name,
                Succeeded = false,
                Metrics = run.Metrics,
                ServiceChecks = run.ServiceChecks,
                Events = run.Events,
                HistogramBuckets = run.HistogramBuckets,
            });
        }

        End(run, new CheckRunResult
        {
            CheckId = Id,
            Error = fault,
            StartedAt = run.StartedAt,
            Duration = DateTimeOffset.UtcNow - run.StartedAt,
            Metrics = run.Metrics,
            ServiceChecks = run.ServiceChecks,
            Events = run.Events,
            HistogramBuckets = run.HistogramBuckets,
        }, crashed: true);
    }

    /// <summary>A new identity from a reload on a new worker (a check file changed meanwhile).</summary>
    public void Reloaded(CheckIdentityInWorker identity)
    {
        _identity = identity with { Id = _identity.Id };
        _sourceStamp = StampOf(identity.Source);
    }

    /// <summary>
    /// Whether the check's file changed (or vanished) since its worker loaded it: the host's own interpreter never
    /// imported it, so a reload asks here which Process-mode checks must be loaded again.
    /// </summary>
    public bool SourceChanged() => _sourceStamp is { } stamp && StampOf(Source) != stamp;

    private static DateTime? StampOf(string source)
    {
        const string prefix = "python:";
        if (!source.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string path = source[prefix.Length..];
        return File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Cancel();
            _pool.Remove(this);
        }
    }
}
