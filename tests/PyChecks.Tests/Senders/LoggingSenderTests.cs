using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Senders;

[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LoggingSenderTests
{
    [Test]
    public void EverySubmissionAndCommit_IsLogged()
    {
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var sender = new LoggingSender(factory.CreateLogger<LoggingSender>());
        sender.SubmitMetric(new MetricSample { CheckId = "c:1", Type = MetricType.Gauge, Name = "g", Value = 2, Tags = (string[])["a:b"], Hostname = "" });
        sender.SubmitServiceCheck(new ServiceCheckSample { CheckId = "c:1", Name = "up", Status = ServiceCheckStatus.Warning, Tags = (string[])[], Hostname = "", Message = "slow" });
        sender.SubmitEvent(new CheckEvent { CheckId = "c:1", Title = "Deployed", AlertType = "info" });
        sender.Commit(new CheckRunSummary { CheckId = "c:1", CheckName = "c", Succeeded = true, Metrics = 1, ServiceChecks = 1, Events = 1, HistogramBuckets = 0 });
        Assert.That(logs.Entries.Select(e => e.Message), Is.EqualTo(new[]
        {
            "c:1 metric Gauge g=2 tags=[a:b] host=''",
            "c:1 service check up=Warning tags=[] message='slow'",
            "c:1 event 'Deployed' (info) tags=[]",
            "c:1 run succeeded: 1 metrics, 1 service checks, 1 events, 0 histogram buckets",
        }));
        Assert.That(logs.Entries.Select(e => e.Category).Distinct().Single(), Is.EqualTo("PyChecks.LoggingSender"));
    }
}
