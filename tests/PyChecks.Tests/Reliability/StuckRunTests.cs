using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// Runs stuck in C — <c>time.sleep(10**6)</c>, libc's <c>read</c> on a pipe through <c>ctypes</c>, <c>select</c> on a pipe that
/// never gets data — through the real control API on its socket: status, cancel and run-once agree about them, and
/// stopping the host with such a run is bounded by the host's shutdown timeout.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class StuckRunTests
{
    /// <summary>Blocks in C the way its instance's <c>call</c> says, after a first run that returns (<c>later</c>).</summary>
    internal const string StuckCheck = """
        import ctypes, os, select, time
        from datadog_checks.base import AgentCheck

        runs = {}

        class StuckCheck(AgentCheck):
            def check(self, instance):
                call = instance['call']
                runs[call] = runs.get(call, 0) + 1
                self.gauge('stuck.started', 1, tags=['call:' + call])
                if call == 'later':
                    if runs[call] == 1:
                        return
                    call = 'pipe'
                if call == 'sleep':
                    time.sleep(10**6)
                elif call == 'ctypes':
                    # libc's read on a pipe that never gets data: a signal to the thread restarts it, unlike sleep().
                    read, write = os.pipe()
                    ctypes.CDLL(None).read(read, ctypes.create_string_buffer(1), 1)
                elif call == 'pipe':
                    read, write = os.pipe()
                    select.select([read], [], [])
                self.gauge('stuck.returned', 1)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ARunStuckInC_StatusCancelAndRunOnceAgree_OverTheRealSocket(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("stuck", StuckCheck).Config("stuck", """
            instances:
              - {call: sleep, run_timeout: 1, min_collection_interval: 3600}
              - {call: ctypes, run_timeout: 1, min_collection_interval: 3600}
            """).Check("blocker", StuckCheck).Config("blocker", """
            instances:
              - {call: pipe, run_timeout: 600, min_collection_interval: 3600}
            """).Check("later", StuckCheck).Config("later", """
            instances:
              - {call: later, run_timeout: 1, min_collection_interval: 3600}
            """);
        var (hosted, client) = StartOnSocket(folder, TimeSpan.FromSeconds(5));
        using (hosted)
        using (client)
        {
            JsonElement Record(string name) => client.Get("checks").Expect(HttpStatusCode.OK).Json.GetProperty("checks").EnumerateArray()
                .Single(c => c.GetProperty("checkName").GetString() == name);
            JsonElement[] Stuck() => [.. client.Get("checks").Expect(HttpStatusCode.OK).Json.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("checkName").GetString() == "stuck")];

            // Timeout at 1 s, an interrupt that cannot land in C, stuck 1 s later: GET /checks says so, with a stand-in each.
            Eventually.That(() => Stuck().All(c => c.GetProperty("state").GetString() == "stuck"), "both runs reported stuck", seconds: 30);
            foreach (var record in Stuck())
            {
                Assert.That(record.GetProperty("standInWorker").GetBoolean(), Is.True, "a stand-in took the stuck run's worker's place");
                Assert.That(record.TryGetProperty("cancelPending", out _), Is.False, "no cancel asked yet");
            }

            var scheduler = client.Get("status").Expect(HttpStatusCode.OK).Json.GetProperty("scheduler");
            Assert.That(scheduler.GetProperty("stuck").GetInt32(), Is.GreaterThanOrEqualTo(2));
            Assert.That(scheduler.GetProperty("standInWorkers").GetInt32(), Is.EqualTo(scheduler.GetProperty("stuck").GetInt32()), "GET /status counts the stand-ins: one per stuck run here");

            // Cancel is accepted, and says it takes effect when the run returns to Python.
            foreach (var record in Stuck())
            {
                string id = record.GetProperty("checkId").GetString()!;
                var cancel = client.Post($"checks/{Uri.EscapeDataString(id)}/cancel").Expect(HttpStatusCode.Accepted).Json;
                Assert.That(cancel.GetProperty("checkId").GetString(), Is.EqualTo(id));
                Assert.That(cancel.GetProperty("cancelled").GetBoolean(), Is.False);
                Assert.That(cancel.GetProperty("pending").GetBoolean(), Is.True);
                Assert.That(cancel.GetProperty("message").GetString(), Does.Contain("stuck in C code").And.Contain("when the run returns to Python"));
            }

            foreach (var record in Stuck())
            {
                Assert.That(record.GetProperty("state").GetString(), Is.EqualTo("stuck"));
                Assert.That(record.GetProperty("cancelPending").GetBoolean(), Is.True, "GET /checks: stuck, and a cancel is pending");
            }

            // Run-once of the stuck check answers at once: 409 with the reason, nothing run.
            var clock = Stopwatch.StartNew();
            var refused = client.Post("checks/stuck/run").Expect(HttpStatusCode.Conflict, "check_stuck");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "at once");
            Assert.That(refused.Json.GetProperty("error").GetProperty("message").GetString(), Does.Contain("stuck in C code").And.Contain(Stuck()[0].GetProperty("checkId").GetString()));

            // A cancel that comes first: the run is interrupted (200), stays blocked in select, and is stuck a grace period later, its cancel pending.
            Eventually.That(() => Record("blocker").GetProperty("state").GetString() == "running", "the pipe run, blocked in select");
            string blocker = Record("blocker").GetProperty("checkId").GetString()!;
            Assert.That(client.Post($"checks/{Uri.EscapeDataString(blocker)}/cancel").Expect(HttpStatusCode.OK).Json.GetProperty("cancelled").GetBoolean(), Is.True);
            Eventually.That(() => Record("blocker").GetProperty("state").GetString() == "stuck", "a cancelled run that does not return is stuck too");
            Assert.That(Record("blocker").GetProperty("cancelPending").GetBoolean(), Is.True);
            client.Post($"checks/{Uri.EscapeDataString(blocker)}/cancel").Expect(HttpStatusCode.Accepted);

            // Run-once of a check whose scheduled run returned, but whose fresh run blocks in C: answered within timeout + grace.
            Eventually.That(() => Record("later").GetProperty("totalRuns").GetInt64() == 1, "the later check's scheduled run returned");
            clock.Restart();
            var report = client.Post("checks/later/run").Expect(HttpStatusCode.OK).Json;
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1 + 1 + 3)), "bounded by the run's timeout (1 s) and the grace (1 s), plus a margin");
            var instance = report.GetProperty("instances").EnumerateArray().Single();
            Assert.That(instance.GetProperty("stuck").GetBoolean(), Is.True);
            Assert.That(instance.GetProperty("succeeded").GetBoolean(), Is.False);
            Assert.That(instance.GetProperty("error").GetString(), Does.Contain("stuck in C code"));
            Assert.That(instance.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()), Does.Contain("stuck.started"), "what it submitted before it blocked");
            client.Post("checks/later/run").Expect(HttpStatusCode.Conflict, "check_stuck");

            // Nothing returned: no run ended, no metric after the blocking calls.
            Assert.That(hosted.Sender.Metrics.Select(m => m.Name), Has.No.Member("stuck.returned"));
            Assert.That(Stuck().Select(c => c.GetProperty("totalRuns").GetInt64()), Is.All.Zero);
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Shutdown_WithARunStuckInC_IsBoundedByTheHostsShutdownTimeout_NotTwiceIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("stuck", StuckCheck).Config("stuck", """
            instances:
              - {call: ctypes, run_timeout: 1, min_collection_interval: 3600}
            """);
        var timeout = TimeSpan.FromSeconds(2);
        var (hosted, client) = StartOnSocket(folder, timeout);
        var runtime = hosted.Host.Services.GetRequiredService<PythonRuntime>();
        using (client)
        {
            Eventually.That(() => hosted.StatusOf("stuck").State == CheckState.Stuck, "the run, stuck in libc's read", seconds: 30);

            // The runtime's own budget is 10 s: before, stopping waited the host's 2 s and then Python's 10 s.
            var clock = Stopwatch.StartNew();
            hosted.Dispose();
            var elapsed = clock.Elapsed;
            Assert.That(elapsed, Is.LessThan((timeout * 1.5) + TimeSpan.FromSeconds(1)), "stop and dispose together within one shutdown timeout");
            Assert.That(runtime.ShutdownProblem, Does.Contain("still running a check"), "Python was left unfinalized because of the stuck worker, and says so");
        }
    });

    /// <summary>A host on the real clock, serving the API on a socket in the folder, with a 1 s grace and the given host shutdown timeout (Python's own: 10 s).</summary>
    private static (HostedChecks Hosted, ApiClient Client) StartOnSocket(CheckFolder folder, TimeSpan shutdownTimeout)
    {
        var hosted = HostedChecks.Start(
            folder,
            o =>
            {
                o.StuckRunGrace = TimeSpan.FromSeconds(1);
                o.Python.WorkerCount = 4; // one per instance: a run waiting for a worker would time out before it starts
                o.Python.ShutdownTimeout = TimeSpan.FromSeconds(10);
            },
            fakeTime: false,
            services: s =>
            {
                s.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
                s.AddPyChecksLocalApi(o =>
                {
                    o.UnixSocketPath = Path.Combine(folder.Root, "api.sock");
                    o.TokenFilePath = Path.Combine(folder.Root, "api.token");
                });
            });
        var info = hosted.Host.Services.GetRequiredService<PyChecksLocalApi>();
        return (hosted, ApiClient.OverSocket(info.UnixSocketPath!, File.ReadAllText(info.TokenFilePath!)));
    }
}
