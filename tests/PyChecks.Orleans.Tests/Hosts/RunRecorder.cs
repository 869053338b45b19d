using System.Globalization;

namespace PyChecks.Orleans.Tests.Hosts;

/// <summary>
/// A sender that writes one line per run to a file of its host: <c>&lt;unix ms&gt; &lt;check id&gt;</c>, flushed at once,
/// so that a host killed with SIGKILL leaves every run it made on disk. The tags of each run's gauge go, once per
/// distinct tag set, to <c>&lt;file&gt;.tags</c>: <c>&lt;check id&gt; &lt;tags, comma-separated&gt;</c>.
/// </summary>
public sealed class RunRecorder : ISender, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly StreamWriter _tags;
    private readonly HashSet<string> _seenTags = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public RunRecorder(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _tags = new StreamWriter(new FileStream(path + ".tags", FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public void Commit(in CheckRunSummary run)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {run.CheckId}");
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    public void SubmitMetric(in MetricSample sample)
    {
        string line = $"{sample.CheckId} {string.Join(',', sample.Tags.ToArray())}";
        lock (_lock)
        {
            if (_seenTags.Add(line))
            {
                _tags.WriteLine(line);
            }
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

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
            _tags.Dispose();
        }
    }
}
