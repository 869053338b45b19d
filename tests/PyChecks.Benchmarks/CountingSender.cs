namespace PyChecks.Benchmarks;

/// <summary>
/// The cheapest sender that still receives what a check submits as .NET values: it counts the
/// samples and touches every name, value and tag, so nothing the library hands over can be
/// skipped as unused. Keeps nothing, allocates nothing.
/// </summary>
internal sealed class CountingSender : ISender
{
    /// <summary>Metric samples received.</summary>
    public long Metrics { get; private set; }

    /// <summary>Runs committed.</summary>
    public long Commits { get; private set; }

    /// <summary>Characters of names and tags seen (a use of every string).</summary>
    public long Characters { get; private set; }

    /// <summary>Sum of the values seen.</summary>
    public double Sum { get; private set; }

    /// <summary>The name of the last metric (set-up checks it).</summary>
    public string LastName { get; private set; } = string.Empty;

    /// <summary>The tags of the last metric, joined with commas (set-up checks them).</summary>
    public string LastTags { get; private set; } = string.Empty;

    /// <summary>When set, the next metric's name and tags are kept in <see cref="LastName"/> and <see cref="LastTags"/>.</summary>
    public bool Record { get; set; }

    /// <inheritdoc />
    public void SubmitMetric(in MetricSample sample)
    {
        Metrics++;
        Sum += sample.Value;
        long characters = sample.Name.Length;
        foreach (string tag in sample.Tags)
        {
            characters += tag.Length;
        }

        Characters += characters;
        if (Record)
        {
            Record = false;
            LastName = sample.Name;
            LastTags = string.Join(',', sample.Tags.ToArray());
        }
    }

    /// <inheritdoc />
    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
    }

    /// <inheritdoc />
    public void SubmitEvent(CheckEvent checkEvent)
    {
    }

    /// <inheritdoc />
    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
    }

    /// <inheritdoc />
    public void Commit(in CheckRunSummary run) => Commits++;
}
