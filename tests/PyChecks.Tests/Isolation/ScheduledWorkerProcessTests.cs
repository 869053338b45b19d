using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Isolation;

/// <summary>
/// Process-mode checks under the scheduler, as a host runs them: on their interval, reloaded when their file changes,
/// their timeout ending a run stuck in C by ending its worker while the other checks keep their schedule, each worker
/// shown by <c>GET /status</c>, the control API out of their reach, run-once capturing their samples.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ScheduledWorkerProcessTests
{
    private const string Versioned = """
        import os
        from datadog_checks.base import AgentCheck

        class Versioned(AgentCheck):
            def check(self, instance):
                self.gauge('versioned.v1', os.getpid())
        """;

    private const string Stuck = """
        import ctypes
        from datadog_checks.base import AgentCheck

        class Stuck(AgentCheck):
            def check(self, instance):
                self.gauge('stuck.started', 1)
                ctypes.CDLL(None).sleep(600)
        """;

    // Reads the host's token and asks the host's API for its status over the Unix socket, as any same-user process can.
    private const string Snoop = """
        import os, socket
        from datadog_checks.base import AgentCheck

        class Snoop(AgentCheck):
            def check(self, instance):
                token = open(instance['token_file']).read().strip()
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(instance['socket'])
                s.sendall(('GET /status HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' % token).encode())
                answer = b''
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
                self.gauge('snoop.status', int(answer.split(b' ')[1]))
                self.gauge('snoop.host_setting_seen', 1 if any(k.lower().startswith('pychecks__') for k in os.environ) else 0)
                self.gauge('snoop.other_setting_seen', 1 if 'PYCHECKS_TEST_VISIBLE' in os.environ else 0)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ProcessChecks_RunOnSchedule_ReloadWhenChanged_AndAStuckOneEndsOnlyItsWorker(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("versioned", Versioned).Config("versioned", "instances:\n  - {min_collection_interval: 1}\n")
            .Check("stuck", Stuck).Config("stuck", "instances:\n  - {min_collection_interval: 3600, run_timeout: 1}\n")
            .Check("snoop", Snoop);
        folder.Config("snoop", $"instances:\n  - {{min_collection_interval: 1, run_timeout: 30, isolation: in_process, token_file: '{folder.Root}/api.token', socket: '{folder.Root}/api.sock'}}\n  - {{min_collection_interval: 1, run_timeout: 30, token_file: '{folder.Root}/api.token', socket: '{folder.Root}/api.sock'}}\n");
        Environment.SetEnvironmentVariable("PyChecks__Example__Secret", "not for checks");
        Environment.SetEnvironmentVariable("PYCHECKS_TEST_VISIBLE", "for checks");
        using var hosted = HostedChecks.Start(
            folder,
            o =>
            {
                o.Isolation = CheckIsolation.Process;
                o.WorkerProcesses.Count = 2;
                o.StuckRunGrace = TimeSpan.FromSeconds(1);
            },
            fakeTime: false,
            services: s => s.AddPyChecksLocalApi(o =>
            {
                o.UnixSocketPath = Path.Combine(folder.Root, "api.sock");
                o.TokenFilePath = Path.Combine(folder.Root, "api.token");
            }));
        var api = hosted.Host.Services.GetRequiredService<PyChecksLocalApi>();
        using var client = ApiClient.OverSocket(api.UnixSocketPath!, File.ReadAllText(api.TokenFilePath!));

        // The stuck run times out after 1 s, its interrupt cannot land in C, and its worker is killed 1 s later: the run
        // fails then, and is never reported stuck (nothing is left behind).
        Eventually.That(() => hosted.StatusOf("stuck").LastError?.Contains("stuck in C code", StringComparison.Ordinal) == true, "the stuck run failed, its worker killed", seconds: 60);
        Assert.That(hosted.StatusOf("stuck").State, Is.Not.EqualTo(CheckState.Stuck));
        Assert.That(hosted.StatusOf("stuck").StandInWorker, Is.False);
        Assert.That(hosted.Sender.Commits.Where(c => c.CheckName == "stuck").Select(c => c.Succeeded), Is.EqualTo(new[] { false }));
        Assert.That(hosted.Sender.Metrics.Count(m => m.Name == "stuck.started"), Is.EqualTo(1), "what it submitted before it got stuck arrived");

        // The other check kept its 1 s schedule meanwhile, in its own worker.
        Eventually.That(() => hosted.CommitsOf("versioned") >= 3, "the versioned check ran on its interval", seconds: 30);
        Assert.That(hosted.Sender.Commits.Where(c => c.CheckName == "versioned").All(c => c.Succeeded), Is.True);

        // GET /status shows each worker: both running again, one restarted after the stuck run, with how it ended.
        var workers = client.Get("status").Expect(HttpStatusCode.OK).Json.GetProperty("workers").EnumerateArray().ToList();
        Assert.That(workers.Select(w => w.GetProperty("slot").GetInt32()), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(workers.Sum(w => w.GetProperty("checks").GetInt32()), Is.EqualTo(3));
        Assert.That(workers.Sum(w => w.GetProperty("restarts").GetInt32()), Is.EqualTo(1));
        var restarted = workers.Single(w => w.GetProperty("restarts").GetInt32() == 1);
        Assert.That(restarted.GetProperty("lastExit").GetString(), Does.Contain("stuck in C code"));
        var running = workers.Single(w => w.GetProperty("restarts").GetInt32() == 0 && w.GetProperty("runs").GetInt64() >= 3);
        Assert.That(running.GetProperty("processId").GetInt32(), Is.Not.EqualTo(Environment.ProcessId));
        Assert.That(running.GetProperty("residentBytes").GetInt64(), Is.GreaterThan(1 << 20));
        Assert.That(running.GetProperty("runs").GetInt64(), Is.GreaterThanOrEqualTo(3));

        // The API serves a check in process (with the token) and refuses the same check in a worker, which does not
        // see the host's PyChecks settings in its environment either.
        // (Runs before the API listened failed to connect; each instance runs every second.)
        Eventually.That(() => hosted.Sender.Metrics.Where(m => m.Name == "snoop.status").Select(m => m.CheckId).Distinct().Count() == 2, "both snoop instances reached the API", seconds: 30);
        var snoops = hosted.Sender.Metrics.Where(m => m.Name.StartsWith("snoop.", StringComparison.Ordinal)).ToList();
        var inProcessCheck = hosted.Host.Services.GetRequiredService<ICheckScheduler>().Checks.Single(c => c.Name == "snoop" && c.GetType().Name != "ProcessCheck");
        string inProcessId = inProcessCheck.Id;
        Assert.That(snoops.Where(m => m.Name == "snoop.status").Select(m => (m.CheckId == inProcessId, m.Value)).Distinct().OrderBy(p => p.Item1), Is.EqualTo(new[] { (false, 403.0), (true, 200.0) }));
        var fromWorker = snoops.Where(m => m.CheckId != inProcessId).GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last().Value);
        Assert.That(fromWorker["snoop.host_setting_seen"], Is.Zero, "PyChecks__* settings are removed from a worker's environment");
        Assert.That(fromWorker["snoop.other_setting_seen"], Is.EqualTo(1), "the rest of the host's environment is the worker's");

        // A changed file is loaded again into the worker on reload.
        File.WriteAllText(Path.Combine(folder.ChecksDirectory, "versioned.py"), Versioned.Replace("versioned.v1", "versioned.v2", StringComparison.Ordinal));
        var reload = hosted.Scheduler.ReloadAsync().GetAwaiter().GetResult();
        Assert.That(reload.Replaced, Has.Count.EqualTo(1), string.Join("; ", reload.Errors));
        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "versioned.v2"), "the new code ran", seconds: 30);
        Assert.That(hosted.Sender.Metrics.Where(m => m.Name.StartsWith("versioned.", StringComparison.Ordinal)).All(m => (int)m.Value != Environment.ProcessId), Is.True);

        // Run-once captures a Process-mode check's samples, as for one in process.
        var report = hosted.Scheduler.RunOnceAsync("versioned").GetAwaiter().GetResult();
        Assert.That(report, Is.Not.Null);
        var run = report!.Instances.Single();
        Assert.That(run.Result.Error, Is.Null);
        Assert.That(run.Metrics.Select(m => m.Name), Is.EqualTo(new[] { "versioned.v2" }));
    });
}
