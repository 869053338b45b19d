namespace PyChecks.Checks.Isolation;

/// <summary>A worker's end: its instances' journals read, its loads and runs failed with how it ended, its slot told.</summary>
internal sealed partial class WorkerProcess
{
    private void Lose()
    {
        if (Interlocked.Exchange(ref _lost, 1) != 0)
        {
            return;
        }

        _memoryWatch?.Dispose();
        _channel?.Dispose();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            Kill("it closed its connection but did not exit");
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }

        // The stderr reader ends with the process; give it a moment to deliver the last lines.
        _process.WaitForExit(TimeSpan.FromSeconds(1));
        string how = $"{DescribeExit()}{StderrTail()}";
        RecoverJournals();
        foreach (var load in _loads.Values)
        {
            load.TrySetResult(new LoadAnswer(null, [("worker process", $"the worker process ended while it loaded the check: {how}")]));
        }

        foreach (ulong runId in _runs.Keys)
        {
            if (_runs.TryRemove(runId, out var run))
            {
                run.Check.Lost(run, Describe(how));
            }
        }

        foreach (string taskId in _profiles.Keys)
        {
            if (_profiles.TryRemove(taskId, out var profile))
            {
                profile.Fail(DescribeForProfile(how));
            }
        }

        // The slot's restart delay is set before the worker counts as ended, so that no run starts the next one early.
        _pool.Ended(this, how);
        _ended.TrySetResult(how);
        _process.Dispose();
    }

    // What the worker's checks submitted and it never sent: delivered from their journals, before the runs fail.
    private void RecoverJournals()
    {
        foreach (var check in WorkerProcessPool.LoadedInto(this))
        {
            string path = SubmissionJournal.PathOf(_pool.Folder, Pid, check.Handle);
            byte[] records = SubmissionJournal.ReadUnsent(path, check.ReceivedSequence);
            if (records.Length > 0)
            {
                try
                {
                    var reader = new FrameReader(records);
                    check.Receive(ref reader);
                }
                catch (InvalidDataException)
                {
                    // A journal the dying process scribbled over: what it held cannot be trusted, and is dropped.
                }
            }
        }

        foreach (string journal in Directory.EnumerateFiles(_pool.Folder, $"j{Pid}.*"))
        {
            File.Delete(journal);
        }
    }

    private string Describe(string how) => $"its worker process (pid {Pid}) {how}";

    // A task ends with its check's worker: the instance is loaded into the next worker, where no task samples it.
    private string DescribeForProfile(string how) => $"The worker process running the check (pid {Pid}) {how}";

    private string DescribeExit()
    {
        if (!_process.HasExited)
        {
            return "stopped answering";
        }

        int code = _process.ExitCode;
        string exit = code is > 128 and < 128 + 65
            ? $"was killed by signal {SignalName(code - 128)} ({code - 128})"
            : $"exited with code {code}";
        return Volatile.Read(ref _killReason) is { } reason ? $"was killed by PyChecks because {reason}" : exit;
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => $"signal {signal}",
    };

    private void StderrLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.Enqueue(line);
            if (_stderr.Count > StderrLines)
            {
                _stderr.Dequeue();
            }
        }

        _pool.Log.WorkerStderr(Slot.Index, line);
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            return _stderr.Count == 0 ? "; it wrote nothing to stderr" : $"; its last lines on stderr:\n{string.Join('\n', _stderr)}";
        }
    }
}
