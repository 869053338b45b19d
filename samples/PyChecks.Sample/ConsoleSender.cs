using PyChecks;

namespace PyChecks.Sample;

/// <summary>A custom sender: prints what checks submit. A real one would buffer and ship on Commit.</summary>
internal sealed class ConsoleSender : ISender
{
    public void SubmitMetric(in MetricSample sample) =>
        Console.WriteLine($"  metric  {sample.Name,-24} {sample.Value,14:0.###}  [{string.Join(", ", sample.Tags.ToArray())}]");

    public void SubmitServiceCheck(in ServiceCheckSample sample) =>
        Console.WriteLine($"  service {sample.Name,-24} {sample.Status,14}  [{string.Join(", ", sample.Tags.ToArray())}] {sample.Message}");

    public void SubmitEvent(CheckEvent checkEvent) =>
        Console.WriteLine($"  event   {checkEvent.Title}");

    public void SubmitHistogramBucket(in HistogramBucketSample sample) =>
        Console.WriteLine($"  bucket  {sample.Name} [{sample.LowerBound}, {sample.UpperBound}] = {sample.Value}");

    public void Commit(in CheckRunSummary run) =>
        Console.WriteLine($"  commit  {run.CheckId}: {(run.Succeeded ? "ok" : "FAILED")}, {run.Metrics} metrics, {run.ServiceChecks} service checks");
}
