using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// Runs blocked in C, where the timeout's interrupt cannot land — a socket <c>recv</c> that never gets data, a
/// <c>select</c> with nothing to wait for — are reported stuck on time, and the other checks keep running.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class BlockedInCTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SocketRecvAndSelectThatNeverReturn_AreReportedStuck_AndOtherChecksKeepRunning(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("blocked", """
            import select, socket
            from datadog_checks.base import AgentCheck

            # The server side of the blocked connection, and the test's way to end the recv.
            peers = []

            def release():
                peers[0].sendall(b'x')

            class BlockedCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('blocked.started', 1, tags=['call:' + instance['call']])
                    if instance['call'] == 'recv':
                        listener = socket.create_server(('127.0.0.1', 0))
                        client = socket.create_connection(listener.getsockname())
                        server, _ = listener.accept()
                        peers.append(server)
                        client.recv(1)
                        self.gauge('blocked.received', 1)
                    else:
                        select.select([], [], [], 3600)
            """).Config("blocked", """
            instances:
              - call: recv
                min_collection_interval: 60
                run_timeout: 1
              - call: select
                min_collection_interval: 60
                run_timeout: 1
            """).Check("counting", """
            from datadog_checks.base import AgentCheck

            class CountingCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('counting.run', 1)
            """).Config("counting", """
            instances:
              - min_collection_interval: 5
            """);
        using var hosted = HostedChecks.Start(folder, o => o.StuckRunGrace = TimeSpan.FromSeconds(1));
        var runtime = hosted.Host.Services.GetRequiredService<PythonRuntime>();
        var workers = runtime.Workers;
        CheckStatus[] Blocked() => [.. hosted.Status.GetAll().Where(s => s.CheckName == "blocked")];

        Eventually.That(() => hosted.Sender.Metrics.Count(m => m.Name == "blocked.started") == 2, "both runs, blocked in C on the two workers");
        // Timeout at 1 s, an interrupt that cannot land in C, stuck at 2 s: step the clock until the scheduler says so.
        var stepped = TimeSpan.Zero;
        Eventually.That(
            () =>
            {
                if (Blocked().All(s => s.State == CheckState.Stuck))
                {
                    return true;
                }

                if (stepped < TimeSpan.FromSeconds(4))
                {
                    hosted.Advance(TimeSpan.FromMilliseconds(100));
                    stepped += TimeSpan.FromMilliseconds(100);
                }

                return false;
            },
            "both reported stuck after the timeout and the grace period");
        Assert.That(stepped, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)), "not before timeout + grace");
        Assert.That(workers.CompensatingWorkers, Is.EqualTo(2), "a stand-in worker for each");
        Eventually.That(() => hosted.CommitsOf("counting") >= 1, "the other check ran, on a stand-in");

        int before = hosted.CommitsOf("counting");
        for (int next = 1; next <= 2; next++)
        {
            // The scheduler frees the instance just after recording its run: moving the clock before would skip a run.
            hosted.WaitUntilIdle("counting");
            hosted.Advance(TimeSpan.FromSeconds(5));
            int expected = before + next;
            Eventually.That(() => hosted.CommitsOf("counting") == expected, "and keeps its schedule");
        }
        Assert.That(Blocked().Select(s => s.State), Is.All.EqualTo(CheckState.Stuck));

        // Data arrives: recv returns, the pending interrupt lands at the next bytecode, the run ends timed out.
        using (runtime.AcquireGil())
        {
            using var module = PyObject.Import("blocked");
            module.CallMethod("release").Dispose();
        }

        Eventually.That(() => Blocked().Count(s => s.TotalTimeouts == 1) == 1, "the recv run returns and ends timed out");
        Eventually.That(() => workers.CompensatingWorkers == 1, "its stand-in is released; the select run keeps its own");
        Assert.That(hosted.Sender.Metrics.Select(m => m.Name), Has.No.Member("blocked.received"), "the interrupt landed right after recv returned");
        var recv = Blocked().Single(s => s.TotalTimeouts == 1);
        Assert.That(recv.LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut));
        Assert.That(recv.LastTraceback, Does.Contain("CheckInterrupt"));
    });
}
