using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// A sender that throws — in <c>Commit</c> only, on every call while the scheduler runs many runs, with an
/// <see cref="OutOfMemoryException"/> or an exception whose own members throw — is isolated: the exception never
/// reaches Python or native code, it is counted, and the other senders receive every sample.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SenderFaultTests
{
    private const string SubmittingCheck = """
        from datadog_checks.base import AgentCheck

        class SubmittingCheck(AgentCheck):
            def check(self, instance):
                self.gauge('submitting.gauge', 1)
                self.count('submitting.count', 2)
                self.service_check('submitting.up', AgentCheck.OK)
                self.event({'msg_title': 'hello', 'msg_text': 'world'})
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ASenderThatThrowsInCommitOnly_GetsEverySample_TheOthersGetTheCommit_AndEachErrorIsCounted(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("submitting", SubmittingCheck).Config("submitting", "instances: [{}]\n");
        var failing = new FailingSender(commit: () => new InvalidOperationException("commit failed"));
        var recorder = new InMemorySender();
        long before = CheckHost.SenderErrors;
        using var host = folder.Start([failing, recorder]);
        var check = CheckFolder.LoadAll(host).Single();

        for (int run = 0; run < 3; run++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, "a sender's failure is not the check's");
        }

        Assert.That(failing.Received.Metrics, Has.Count.EqualTo(6));
        Assert.That(failing.Received.ServiceChecks, Has.Count.EqualTo(3));
        Assert.That(failing.Received.Events, Has.Count.EqualTo(3));
        Assert.That(recorder.Metrics, Has.Count.EqualTo(6));
        Assert.That(recorder.Commits.Select(c => c.Succeeded), Is.EqualTo(new[] { true, true, true }));
        Assert.That(CheckHost.SenderErrors - before, Is.EqualTo(3), "one error per commit");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ASenderThatThrowsOnEveryCall_WhileTheSchedulerRunsManyRuns_TheOtherSenderMissesNothing_AndTheMeterCountsEveryError(PythonInstall install) => Isolated.Run(install, static () =>
    {
        long senderErrors = -1;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PyChecksTelemetry.MeterName && instrument.Name == PyChecksTelemetry.SenderErrors)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Exchange(ref senderErrors, value));
        meters.Start();

        var folder = new CheckFolder().Check("submitting", SubmittingCheck)
            .Config("submitting", "instances:\n" + string.Join("\n", Enumerable.Range(0, 10).Select(i => $"  - {{name: i{i}, min_collection_interval: 1}}")));
        var failing = new FailingSender(
            metric: () => new InvalidOperationException("down"),
            serviceCheck: () => new InvalidOperationException("down"),
            checkEvent: () => new InvalidOperationException("down"),
            commit: () => new InvalidOperationException("down"));
        long before = CheckHost.SenderErrors;
        using var hosted = HostedChecks.Start(folder, services: s => s.AddSingleton<ISender>(failing));

        // Each round: every instance's run ends (or, if the clock moved before the scheduler saw its previous run end, is skipped).
        const int Rounds = 20;
        long Settled() => hosted.Status.GetAll().Sum(s => s.TotalRuns + s.TotalSkipped);
        for (int round = 1; round <= Rounds; round++)
        {
            if (round > 1)
            {
                hosted.Advance(TimeSpan.FromSeconds(1));
            }

            int expected = round * 10;
            Eventually.That(() => Settled() == expected && hosted.Status.GetAll().All(s => s.State == CheckState.Scheduled), $"round {round}: every instance ran");
        }

        long runs = hosted.Status.GetAll().Sum(s => s.TotalRuns);
        Assert.That(runs, Is.GreaterThanOrEqualTo(Rounds * 10 * 9 / 10), "nearly every due run ran");
        Assert.That(hosted.Status.GetAll().Select(s => s.TotalErrors), Is.All.Zero, "no run failed");
        Assert.That(hosted.Sender.Commits, Has.Count.EqualTo(runs));
        Assert.That(hosted.Sender.Commits.Select(c => c.Succeeded), Is.All.True);
        Assert.That(hosted.Sender.Metrics, Has.Count.EqualTo(runs * 2), "the other sender got every metric");
        Assert.That(hosted.Sender.ServiceChecks, Has.Count.EqualTo(runs));
        Assert.That(hosted.Sender.Events, Has.Count.EqualTo(runs));
        Assert.That(failing.Attempts, Is.EqualTo(runs * 5), "the failing sender was offered everything too");

        long counted = CheckHost.SenderErrors - before;
        Assert.That(counted, Is.EqualTo(runs * 5), "two metrics, a service check, an event and a commit per run");
        meters.RecordObservableInstruments();
        Assert.That(Interlocked.Read(ref senderErrors), Is.EqualTo(CheckHost.SenderErrors), "pychecks.sender.errors reports the count");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SendersThatThrowOutOfMemoryOrACustomExceptionWhoseMembersThrow_AreIsolatedLikeAnyOther(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("submitting", SubmittingCheck).Config("submitting", "instances: [{}]\n");
        var outOfMemory = new FailingSender(metric: OutOfMemory, serviceCheck: OutOfMemory, checkEvent: OutOfMemory, commit: OutOfMemory);
        var hostile = new FailingSender(
            metric: () => new HostileException(),
            serviceCheck: () => new HostileException(),
            checkEvent: () => new HostileException(),
            commit: () => new HostileException());
        var recorder = new InMemorySender();

        // A logger that formats the exception, as console loggers do: HostileException's ToString throws there.
        var logs = new ExceptionFormattingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        long before = CheckHost.SenderErrors;
        using var host = folder.Start([outOfMemory, hostile, recorder], loggerFactory: factory);
        var check = CheckFolder.LoadAll(host).Single();

        for (int run = 0; run < 2; run++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        Assert.That(recorder.Metrics, Has.Count.EqualTo(4));
        Assert.That(recorder.ServiceChecks, Has.Count.EqualTo(2));
        Assert.That(recorder.Events, Has.Count.EqualTo(2));
        Assert.That(recorder.Commits, Has.Count.EqualTo(2));
        Assert.That(CheckHost.SenderErrors - before, Is.EqualTo(2 * 2 * 5), "two failing senders, two runs, five calls each");
        Assert.That(logs.Formatted, Has.Some.Contains("System.OutOfMemoryException: sender out of memory"));
        Assert.That(logs.FormattingFailures, Is.GreaterThan(0), "the hostile exception did break the logger, and that was contained too");
        using var gil = host.Runtime.AcquireGil();
        using var math = PyObject.Import("math");
        Assert.That(math.IsNone, Is.False, "Python still works");
    });

#pragma warning disable CA2201 // on purpose: a sender that throws what the runtime throws when memory runs out
    private static OutOfMemoryException OutOfMemory() => new OutOfMemoryException("sender out of memory");
#pragma warning restore CA2201

    /// <summary>Throws what it is given for each kind of call, and records what it was offered.</summary>
    private sealed class FailingSender(
        Func<Exception>? metric = null,
        Func<Exception>? serviceCheck = null,
        Func<Exception>? checkEvent = null,
        Func<Exception>? commit = null) : ISender
    {
        private int _attempts;

        public InMemorySender Received { get; } = new();

        public int Attempts => Volatile.Read(ref _attempts);

        public void SubmitMetric(in MetricSample sample)
        {
            Offered();
            Received.SubmitMetric(sample);
            ThrowIf(metric);
        }

        public void SubmitServiceCheck(in ServiceCheckSample sample)
        {
            Offered();
            Received.SubmitServiceCheck(sample);
            ThrowIf(serviceCheck);
        }

        public void SubmitEvent(CheckEvent checkEvent1)
        {
            Offered();
            Received.SubmitEvent(checkEvent1);
            ThrowIf(checkEvent);
        }

        public void SubmitHistogramBucket(in HistogramBucketSample sample)
        {
            Offered();
            Received.SubmitHistogramBucket(sample);
        }

        public void Commit(in CheckRunSummary run)
        {
            Offered();
            Received.Commit(run);
            ThrowIf(commit);
        }

        private void Offered() => Interlocked.Increment(ref _attempts);

        private static void ThrowIf(Func<Exception>? exception)
        {
            if (exception is not null)
            {
                throw exception();
            }
        }
    }

    /// <summary>An exception whose message and text throw: whatever formats it for a log fails.</summary>
    private sealed class HostileException : Exception
    {
        public override string Message => throw new InvalidOperationException("Message is hostile");

        public override string ToString() => throw new InvalidOperationException("ToString is hostile");
    }

    /// <summary>Formats each logged exception with <see cref="Exception.ToString"/>, as console loggers do, and lets what that throws escape.</summary>
    private sealed class ExceptionFormattingLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _formatted = new();
        private int _failures;

        public IReadOnlyList<string> Formatted => [.. _formatted];

        public int FormattingFailures => Volatile.Read(ref _failures);

        public ILogger CreateLogger(string categoryName) => new Formatter(this);

        public void Dispose()
        {
        }

        private sealed class Formatter(ExceptionFormattingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                string text = formatter(state, exception);
                if (exception is not null)
                {
                    try
                    {
                        text += "\n" + exception;
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref owner._failures);
                        throw;
                    }
                }

                owner._formatted.Enqueue(text);
            }
        }
    }
}
