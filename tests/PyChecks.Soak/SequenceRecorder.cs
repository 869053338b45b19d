using System.Collections.Concurrent;

namespace PyChecks.Soak;

/// <summary>
/// A sender that follows each instance's runs by the numbers the check itself submits: <c>soak.pid</c> (the worker
/// process it ran in) and then <c>soak.seq</c> (its run number in that process, from 1). At each commit the number is
/// compared with the last one committed from the same process: the next one is a run; the same or a lower one is a run
/// delivered twice; a higher one means runs that ran in Python and never reached the sender. A new process must start
/// again at 1. The state per instance is a few fields, so the recorder itself does not grow with the runs.
/// </summary>
internal sealed class SequenceRecorder : ISender
{
    public const string PidMetric = "soak.pid";
    public const string SequenceMetric = "soak.seq";

    private readonly ConcurrentDictionary<string, Instance> _instances = new(StringComparer.Ordinal);

    /// <summary>Commits of every instance so far.</summary>
    public long Commits => _instances.Values.Sum(static i => Interlocked.Read(ref i.Commits));

    public Instance? Of(string checkId) => _instances.GetValueOrDefault(checkId);

    public void SubmitMetric(in MetricSample sample)
    {
        var instance = _instances.GetOrAdd(sample.CheckId, static _ => new Instance());
        lock (instance)
        {
            if (sample.Name == PidMetric)
            {
                instance.PendingPid = (int)sample.Value;
            }
            else if (sample.Name == SequenceMetric)
            {
                instance.PendingSequence = (long)sample.Value;
            }

            instance.PendingMetrics++;
        }
    }

    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
    }

    public void SubmitEvent(CheckEvent checkEvent)
    {
    }

    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
    }

    public void Commit(in CheckRunSummary run)
    {
        var instance = _instances.GetOrAdd(run.CheckId, static _ => new Instance());
        lock (instance)
        {
            Interlocked.Increment(ref instance.Commits);
            if (run.Succeeded)
            {
                instance.Succeeded++;
            }
            else
            {
                instance.Failed++;
            }

            if (run.Metrics != instance.PendingMetrics)
            {
                instance.MetricCountMismatches++; // the commit's count and the samples delivered before it disagree
            }

            if (instance.PendingSequence is not long sequence || instance.PendingPid is not int pid)
            {
                if (run.Succeeded)
                {
                    instance.SucceededWithoutSequence++;
                }
                else
                {
                    instance.FailedBeforeSequence++; // the worker died before the run submitted its number (or before it started)
                }
            }
            else
            {
                if (pid != instance.LastPid)
                {
                    if (instance.LastPid != 0)
                    {
                        instance.ProcessEnds[Math.Min(instance.LastSequence, Instance.ProcessEndBuckets - 1)]++;
                        if (instance.LastSucceeded)
                        {
                            instance.ProcessEndsAfterSuccess++;
                        }
                    }

                    instance.Processes++;
                    instance.LastPid = pid;
                    instance.LastSequence = 0;
                }

                if (sequence <= instance.LastSequence)
                {
                    instance.Doubled++;
                }
                else
                {
                    instance.Gaps += sequence - instance.LastSequence - 1;
                    instance.LastSequence = sequence;
                }

                instance.LastSucceeded = run.Succeeded;
                if (!run.Succeeded)
                {
                    instance.FailedAfterSequence++;
                }
            }

            instance.PendingPid = null;
            instance.PendingSequence = null;
            instance.PendingMetrics = 0;
        }
    }

    /// <summary>What arrived of one instance's runs. Read its fields under its lock, or once the host stopped.</summary>
    internal sealed class Instance
    {
        public const int ProcessEndBuckets = 16;

        public long Commits;
        public long Succeeded;
        public long Failed;

        /// <summary>Failed commits that carried the run's number: the run was in Python when its worker died.</summary>
        public long FailedAfterSequence;

        /// <summary>Failed commits without a number: the run was sent to a worker that died before the run submitted it.</summary>
        public long FailedBeforeSequence;

        public long SucceededWithoutSequence;
        public long MetricCountMismatches;

        /// <summary>Numbers committed a second time from the same process.</summary>
        public long Doubled;

        /// <summary>Numbers skipped within a process: runs that ran in Python and never reached the sender.</summary>
        public long Gaps;

        /// <summary>Worker processes the instance ran in.</summary>
        public int Processes;

        /// <summary>Per run number, how many processes' last committed run had it (the last bucket holds the rest).</summary>
        public long[] ProcessEnds { get; } = new long[ProcessEndBuckets];

        /// <summary>Processes whose last committed run (of this instance) succeeded.</summary>
        public long ProcessEndsAfterSuccess;

        public int LastPid;
        public long LastSequence;
        public bool LastSucceeded;
        public int? PendingPid;
        public long? PendingSequence;
        public int PendingMetrics;
    }
}
