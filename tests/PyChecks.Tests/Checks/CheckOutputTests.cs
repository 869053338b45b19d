using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// What a check writes to <c>sys.stdout</c> and <c>sys.stderr</c> goes to the host's log, line by line, under a category
/// of its own (<see cref="PyChecksOptions.CaptureCheckOutput"/>, on by default); other threads' writes, and every write
/// when the option is off, go to the process's real streams.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckOutputTests
{
    private const string PrintingCheck = """
        import sys, threading
        from datadog_checks.base import AgentCheck

        print('printed at import')

        class PrintingCheck(AgentCheck):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                print('printed in __init__')

            def check(self, instance):
                print('hello', 42)
                sys.stdout.write('one line ')
                sys.stdout.write('in three writes')
                sys.stdout.write('\n\n')
                print('two\nlines')
                sys.stderr.write('to stderr\n')
                print('a partial line', end='')
                thread = threading.Thread(target=lambda: print('printed by a thread of the check'))
                thread.start()
                thread.join()
                self.gauge('stdout.is_the_process_stream', sys.stdout is sys.__stdout__)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void WhatACheckPrints_GoesToTheHostsLog_OneEntryPerLine_UnderTheChecksCategory(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("printing", PrintingCheck).Config("printing", "instances: [{}]\n");
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var sender = new InMemorySender();
        using var host = folder.Start([sender], loggerFactory: loggerFactory);
        var check = CheckFolder.LoadAll(host).Single();
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);

        var output = logs.Entries.Where(e => e.Category.StartsWith("PyChecks.Checks.printing.", StringComparison.Ordinal)).ToList();
        Assert.That(output.Where(e => e.Category == "PyChecks.Checks.printing.stdout").Select(e => (e.Level, e.Message)), Is.EqualTo(new[]
        {
            (LogLevel.Information, "printed at import"),
            (LogLevel.Information, "printed in __init__"),
            (LogLevel.Information, "hello 42"),
            (LogLevel.Information, "one line in three writes"),
            (LogLevel.Information, "two"),
            (LogLevel.Information, "lines"),
            (LogLevel.Information, "a partial line"), // sent when the run ended
        }));
        Assert.That(output.Where(e => e.Category == "PyChecks.Checks.printing.stderr").Select(e => (e.Level, e.Message)), Is.EqualTo(new[] { (LogLevel.Warning, "to stderr") }));
        Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("printed by a thread of the check"), "a thread other than the run's writes to the real stream");
        Assert.That(sender.Metrics.Single().Value, Is.Zero, "sys.stdout is the capturing stream");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TwoChecksPrintingAtOnce_EachLineIsLoggedUnderTheCheckThatPrintedIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        const string Source = """
            import time
            from datadog_checks.base import AgentCheck

            class Chatty(AgentCheck):
                def check(self, instance):
                    for i in range(200):
                        print(self.name, i)
                        if i % 10 == 0:
                            time.sleep(0.001)  # lets the other check's worker take the GIL
            """;
        var folder = new CheckFolder()
            .Check("chatty_a", Source).Config("chatty_a", "instances: [{}]\n")
            .Check("chatty_b", Source).Config("chatty_b", "instances: [{}]\n");
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var host = folder.Start([], loggerFactory: loggerFactory); // two Python workers by default: the runs overlap
        var checks = CheckFolder.LoadAll(host);
        var results = Task.WhenAll(checks.Select(c => c.RunAsync())).GetAwaiter().GetResult();
        Assert.That(results.Select(r => r.Succeeded), Is.All.True);

        foreach (string name in new[] { "chatty_a", "chatty_b" })
        {
            var lines = logs.Entries.Where(e => e.Category == $"PyChecks.Checks.{name}.stdout").Select(e => e.Message).ToList();
            Assert.That(lines, Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"{name} {i}")), name);
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void WithCaptureCheckOutputOff_ChecksWriteToTheProcessStreams(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("printing", PrintingCheck).Config("printing", "instances: [{}]\n");
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => o.CaptureCheckOutput = false, loggerFactory);
        var result = CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();

        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(logs.Entries.Select(e => e.Category), Has.None.StartsWith("PyChecks.Checks.printing."));
        Assert.That(sender.Metrics.Single().Value, Is.EqualTo(1.0), "sys.stdout is the process's own");
    });
}
