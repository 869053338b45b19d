using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// A check that calls <c>os.fork()</c>: its child is a copy of the host without the .NET runtime's threads, so whatever
/// the child does — return or raise out of the check, submit, log, call a built-in — it never runs .NET code nor returns
/// into the host's frames. It ends with <c>os._exit</c> and the right code, its samples are dropped, and signals have
/// their default actions in it. <c>multiprocessing</c> (every start method) and <c>subprocess</c> keep working.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ForkedChildTests
{
    /// <summary>What each mode's child exits with: see <see cref="ForkingCheck"/>.</summary>
    private static readonly Dictionary<string, double> ExpectedExitCodes = new()
    {
        ["returns"] = 0,
        ["raises"] = 1,
        ["interrupts"] = 1,
        ["exits"] = 7,
        ["gauges"] = 0,
        ["logs"] = 0,
        ["builtins"] = 33, // 30 + the three calls refused with the forked-child message
        ["thread"] = 0,
    };

    /// <summary>One instance per thing a forked child may do before (or instead of) <c>os._exit</c>; the parent reports its exit code.</summary>
    private const string ForkingCheck = """
        import logging, os, sys, threading
        from datadog_checks.base import AgentCheck
        import _util, aggregator, datadog_agent, tagger

        def in_child(mode, check, expected):
            print('the forked child prints')
            if mode == 'returns':
                return
            if mode == 'raises':
                raise ValueError('raised in the forked child')
            if mode == 'interrupts':
                raise KeyboardInterrupt
            if mode == 'exits':
                sys.exit(7)
            if mode == 'gauges':
                check.gauge('child.gauge', 1)
                check.count('child.count', 1, tags=['a:b'], hostname='elsewhere')
                check.service_check('child.can_connect', AgentCheck.OK)
                check.event({'msg_title': 'child', 'msg_text': 'from the forked child'})
                check.set_metadata('version', '1.2.3')
                aggregator.submit_metric(check, check.check_id, aggregator.GAUGE, 'child.direct', 1.0, [], '', False)
                os._exit(0)
            if mode == 'logs':
                check.log.error('the forked child logs through the check')
                logging.getLogger('elsewhere').error('the forked child logs elsewhere')
                datadog_agent.log('the forked child calls datadog_agent.log', logging.ERROR, 'direct')
                os._exit(0)
            if mode == 'builtins':
                answers = (datadog_agent.get_hostname(), datadog_agent.get_version(), datadog_agent.get_config('log_level'),
                           datadog_agent.get_config('enable_metadata_collection'))
                if answers != expected:
                    sys.stderr.write('the snapshot answers {!r}, the host {!r}\n'.format(answers, expected))
                    os._exit(40)
                refused = 0
                for call in (lambda: tagger.tag('container_id://abc', tagger.LOW),
                             lambda: _util.get_subprocess_output(['true'], None, False),
                             lambda: datadog_agent.read_persistent_cache('key')):
                    try:
                        call()
                    except RuntimeError as e:
                        refused += 'is not available in a process forked from a check' in str(e)
                os._exit(30 + refused)

        class ForkingCheck(AgentCheck):
            def check(self, instance):
                mode = instance['mode']
                print('the parent prints before forking ({})'.format(mode))
                expected = (datadog_agent.get_hostname(), datadog_agent.get_version(), datadog_agent.get_config('log_level'),
                            datadog_agent.get_config('enable_metadata_collection'))
                if mode == 'thread':
                    # Forked from a thread the check started: the child's thread returns, and the child ends.
                    codes = []
                    def fork_in_thread():
                        pid = os.fork()
                        if pid == 0:
                            return
                        codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
                    thread = threading.Thread(target=fork_in_thread)
                    thread.start()
                    thread.join()
                    self.gauge('fork.child_exit', codes[0], tags=['mode:' + mode])
                    return
                pid = os.fork()
                if pid == 0:
                    in_child(mode, self, expected)
                    return
                _, status = os.waitpid(pid, 0)
                self.gauge('fork.child_exit', os.waitstatus_to_exitcode(status), tags=['mode:' + mode])
        """;

    // A run every second; forking a .NET process on a busy machine can take longer than that, which is not what is tested.
    private static readonly string ForkingConfig = "instances:\n" + string.Concat(ExpectedExitCodes.Keys.Select(m => $"  - {{mode: {m}, min_collection_interval: 1, run_timeout: 60}}\n"));

    private const string HelloCheck = """
        from datadog_checks.base import AgentCheck

        class HelloCheck(AgentCheck):
            def check(self, instance):
                self.gauge('hello.world', 1)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ForkedChildren_ThatReturnRaiseSubmitLogOrCallBuiltins_EndWithTheirCode_AndNothingOfThemReachesTheHost(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("forking", ForkingCheck).Config("forking", ForkingConfig)
            .Check("hello", HelloCheck).Config("hello", "instances: [{}]\n");
        var sender = new InMemorySender();
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var host = folder.Start([sender], loggerFactory: loggerFactory);
        var checks = CheckFolder.LoadAll(host);

        for (int round = 1; round <= 2; round++)
        {
            foreach (var check in checks.Where(c => c.Name == "forking"))
            {
                var result = check.RunAsync().GetAwaiter().GetResult();
                Assert.That(result.Succeeded, Is.True, $"round {round}: {result.Error}\n{result.Traceback}");
            }

            var hello = checks.Single(c => c.Name == "hello").RunAsync().GetAwaiter().GetResult();
            Assert.That(hello.Succeeded, Is.True, hello.Error);
        }

        AssertExitCodes(sender, rounds: 2);
        Assert.That(sender.Metrics.Select(m => m.Name).Distinct(), Is.EquivalentTo(new[] { "fork.child_exit", "hello.world" }), "no sample of a child reached the host");
        Assert.That(sender.ServiceChecks, Is.Empty);
        Assert.That(sender.Events, Is.Empty);
        Assert.That(checks.Where(c => c.Name == "forking").SelectMany(c => c.Metadata.Keys), Is.Empty, "the child's set_metadata was dropped");
        Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("forked child"), "the children's logs and prints went to their own stderr and stdout");
        Assert.That(
            logs.Entries.Count(e => e.Category == "PyChecks.Checks.forking.stdout" && e.Message.StartsWith("the parent prints before forking", StringComparison.Ordinal)),
            Is.EqualTo(2 * ExpectedExitCodes.Count),
            "the parent's prints, and only those, reached the host's log");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ForkedChildren_OfAnImportAConstructorOrACancel_EndWithTheirCode_AndTheCheckWorks(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("forking_early", """
            import os
            from datadog_checks.base import AgentCheck

            def fork_and_wait(in_child=None):
                pid = os.fork()
                if pid == 0:
                    if in_child is not None:
                        in_child()
                    return None  # the child goes on with the import, the constructor or cancel(), and returns
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

            def fail():
                raise RuntimeError('raised in a forked child of __init__')

            IMPORT_CHILD = fork_and_wait()

            class ForkingEarly(AgentCheck):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.raising_child = fork_and_wait(fail)
                    self.init_child = fork_and_wait()
                    self.cancel_child = None

                def cancel(self):
                    self.cancel_child = fork_and_wait()

                def check(self, instance):
                    self.gauge('import.child_exit', IMPORT_CHILD)
                    self.gauge('init.child_exit', self.init_child)
                    self.gauge('init.raising_child_exit', self.raising_child)
                    if self.cancel_child is not None:
                        self.gauge('cancel.child_exit', self.cancel_child)
            """).Config("forking_early", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        check.Cancel();
        var result = check.RunAsync().GetAwaiter().GetResult();

        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(sender.Metrics.ToDictionary(m => m.Name, m => m.Value), Is.EquivalentTo(new Dictionary<string, double>
        {
            ["import.child_exit"] = 0,
            ["init.child_exit"] = 0,
            ["init.raising_child_exit"] = 1,
            ["cancel.child_exit"] = 0,
        }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AForkedChild_ReadsTheAgentConfig_ButAValuePythonCannotHold_RaisesItsOwnError(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("forked_config", """
            import os
            import datadog_agent
            from datadog_checks.base import AgentCheck

            def outcome(call):
                try:
                    return 'ok: {!r}'.format(call())
                except Exception as e:
                    return '{}: {}'.format(type(e).__name__, e)

            class ForkedConfig(AgentCheck):
                def check(self, instance):
                    read, write = os.pipe()
                    pid = os.fork()
                    if pid == 0:
                        os.close(read)
                        lines = [outcome(lambda: datadog_agent.get_config(key)) for key in ('plain', 'nested.inner', 'loop', 'loop.x')]
                        os.write(write, '\n'.join(lines).encode('utf-8'))
                        os._exit(0)
                    os.close(write)
                    chunks = []
                    while True:
                        chunk = os.read(read, 65536)
                        if not chunk:
                            break
                        chunks.append(chunk)
                    os.close(read)
                    os.waitpid(pid, 0)
                    self.service_check('forked.config', 0, message=b''.join(chunks).decode('utf-8'))
            """).Config("forked_config", "instances: [{}]\n");
        var loop = new List<object?> { "self" };
        loop.Add(loop);
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o =>
        {
            o.AgentConfig.Values["plain"] = "value";
            o.AgentConfig.Values["nested"] = new Dictionary<string, object?> { ["inner"] = 7L };
            o.AgentConfig.Values["loop"] = loop;
        });
        var result = CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();

        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        string[] lines = sender.ServiceChecks.Single().Message.Split('\n');
        Assert.That(lines[0], Is.EqualTo("ok: 'value'"), "a plain key");
        Assert.That(lines[1], Is.EqualTo("ok: 7"), "a dotted key");
        Assert.That(lines[2], Does.StartWith("ValueError: the agent configuration value cannot be converted to Python").And.Contain("forked child"), "the value that contains itself");
        Assert.That(lines[3], Does.StartWith("ValueError: the agent configuration value cannot be converted to Python"), "a key below it");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void InTheScheduledHost_ChecksWhoseChildrenDoAnything_KeepRunning_AndAreNeverStuck(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("forking", ForkingCheck).Config("forking", ForkingConfig)
            .Check("hello", HelloCheck).Config("hello", "instances: [{min_collection_interval: 1, run_timeout: 60}]\n");
        using var hosted = HostedChecks.Start(folder, fakeTime: false);

        try
        {
            Eventually.That(() => hosted.Status.GetAll().All(s => s.TotalRuns >= 3), "three runs of every instance, on the real clock", seconds: 90);
        }
        catch (AssertionException)
        {
            Assert.Fail("not every instance ran three times:\n" + string.Join("\n", hosted.Status.GetAll().Select(s => $"{s.CheckId} {s.State} runs {s.TotalRuns}: {s.LastError}\n{s.LastTraceback}")));
        }

        var statuses = hosted.Status.GetAll();
        Assert.That(statuses.Select(s => s.State), Has.None.EqualTo(CheckState.Stuck));
        Assert.That(statuses.Select(s => s.TotalErrors + s.TotalTimeouts), Is.All.Zero, string.Join("\n", statuses.Select(s => s.LastError)));
        AssertExitCodes(hosted.Sender, rounds: 3);
        Assert.That(hosted.Sender.Metrics.Select(m => m.Name).Distinct(), Is.EquivalentTo(new[] { "fork.child_exit", "hello.world" }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TheCheckCommand_WithChecksWhoseChildrenDoAnything_ExitsZero_AndReportsTheParentsSamples(PythonInstall install)
    {
        install.RequirePresent();
        var folder = new CheckFolder().Check("forking", ForkingCheck).Config("forking", ForkingConfig);
        var (exit, stdout, stderr) = RunSample(install, ["check", "forking", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);

        string all = $"stdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.That(exit, Is.Zero, all);
        Assert.That(stdout, Does.Contain($"forking: {ExpectedExitCodes.Count} instances, {ExpectedExitCodes.Count} runs: {ExpectedExitCodes.Count} succeeded, 0 failed"), all);
        foreach (var (mode, code) in ExpectedExitCodes)
        {
            Assert.That(stdout, Does.Match($@"\n  fork\.child_exit\s+gauge\s+{code}\s+mode:{mode}\s*\n"), $"{mode}: {all}");
        }

        Assert.That(stdout, Does.Not.Contain("child.gauge").And.Not.Contain("child.can_connect").And.Not.Contain("child.direct"), all);
        Assert.That(stdout, Does.Contain("the forked child prints"), "a child's print goes to the process's real stdout");
        Assert.That(stdout, Does.Not.Contain("the parent prints"), "the check's own prints are captured");
        Assert.That(stderr, Does.Contain("[info] PyChecks.Checks.forking.stdout: the parent prints before forking (returns)\n"), "and shown with the logs, though --log-level is error");
        Assert.That(stderr, Does.Contain("Traceback (most recent call last):").And.Contain("ValueError: raised in the forked child"), "the child that raised printed its traceback");
        Assert.That(stderr, Does.Match(@"the check failed in a forked child \(pid \d+\)"));
        Assert.That(stderr, Does.Match(@"\[pid \d+\] elsewhere: the forked child logs elsewhere\n"), "the child's logs go to its stderr");
        Assert.That(stderr, Does.Match(@"\[pid \d+\] direct: the forked child calls datadog_agent.log\n"));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AForkedChildThatSleeps_HasTheDefaultSignalActions_AndSigtermEndsIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("sleeper", """
            import os, signal, time
            from datadog_checks.base import AgentCheck

            def sigterm_bit(pid, field):
                with open('/proc/{}/status'.format(pid)) as status:
                    for line in status:
                        if line.startswith(field + ':'):
                            return (int(line.split()[1], 16) >> (signal.SIGTERM - 1)) & 1

            class SleeperCheck(AgentCheck):
                def check(self, instance):
                    ready_read, ready_write = os.pipe()
                    pid = os.fork()
                    if pid == 0:
                        os.write(ready_write, b'x')
                        time.sleep(120)
                        return
                    os.read(ready_read, 1)
                    for field in ('SigIgn', 'SigBlk', 'SigCgt'):
                        self.gauge('child.sigterm.' + field.lower(), sigterm_bit(pid, field))
                    os.kill(pid, getattr(signal, instance['signal']))
                    self.gauge('child.exit', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), tags=['signal:' + instance['signal']])
            """).Config("sleeper", "instances: [{signal: SIGTERM}, {signal: SIGINT}, {signal: SIGHUP}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var clock = Stopwatch.StartNew();
        foreach (var check in CheckFolder.LoadAll(host))
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "the children ended at the signal, not after their sleep");
        Assert.That(sender.Metrics.Where(m => m.Name.StartsWith("child.sigterm.", StringComparison.Ordinal)).Select(m => m.Value), Is.All.Zero,
            "SIGTERM is neither ignored, blocked nor caught in the child");
        Assert.That(
            sender.Metrics.Where(m => m.Name == "child.exit").Select(m => (m.Tags[0], m.Value)),
            Is.EquivalentTo(new[] { ("signal:SIGTERM", -15.0), ("signal:SIGINT", -2.0), ("signal:SIGHUP", -1.0) }),
            "each child died of its signal");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void MultiprocessingPools_WithEveryStartMethod_AndSubprocess_Work(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("pool_helpers", "def square(x):\n    return x * x\n") // spawn and forkserver import the target in a plain Python
            .Check("pooling", """
                import multiprocessing, subprocess, sys
                from datadog_checks.base import AgentCheck
                from pool_helpers import square

                class PoolingCheck(AgentCheck):
                    def check(self, instance):
                        method = instance['method']
                        with multiprocessing.get_context(method).Pool(2) as pool:
                            self.gauge('pool.sum', sum(pool.map(square, range(10))), tags=['method:' + method])
                        done = subprocess.run([sys.executable, '-c', 'print(6 * 7)'], capture_output=True, text=True, timeout=60)
                        self.gauge('subprocess.output', int(done.stdout), tags=['method:' + method])
                """)
            .Config("pooling", "instances: [{method: fork}, {method: spawn}, {method: forkserver}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        foreach (var check in CheckFolder.LoadAll(host))
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        Assert.That(
            sender.Metrics.Where(m => m.Name == "pool.sum").Select(m => (m.Tags[0], m.Value)),
            Is.EquivalentTo(new[] { ("method:fork", 285.0), ("method:spawn", 285.0), ("method:forkserver", 285.0) }));
        Assert.That(sender.Metrics.Where(m => m.Name == "subprocess.output").Select(m => m.Value), Is.EqualTo(new[] { 42.0, 42.0, 42.0 }));
    });

    private static void AssertExitCodes(InMemorySender sender, int rounds)
    {
        var reported = sender.Metrics.Where(m => m.Name == "fork.child_exit").GroupBy(m => m.Tags[0]["mode:".Length..]).ToDictionary(g => g.Key, g => g.Select(m => m.Value).ToList());
        Assert.That(reported.Keys, Is.EquivalentTo(ExpectedExitCodes.Keys));
        foreach (var (mode, code) in ExpectedExitCodes)
        {
            Assert.That(reported[mode], Has.Count.AtLeast(rounds).And.All.EqualTo(code), $"the exit codes of the '{mode}' children");
        }
    }

    private static (int Exit, string Stdout, string Stderr) RunSample(PythonInstall install, string[] args)
    {
        var (exit, stdout, stderr, _) = SampleProcess.Run(install, args, TimeSpan.FromSeconds(120));
        return (exit, stdout, stderr);
    }
}
