namespace PyChecks;

/// <summary>One worker process slot of <see cref="CheckIsolation.Process"/> mode, as <see cref="CheckHost.GetWorkerProcesses"/> reports it.</summary>
public sealed record WorkerProcessStatus
{
    /// <summary>The slot's number, from 0 to <see cref="WorkerProcessOptions.Count"/> − 1.</summary>
    public required int Slot { get; init; }

    /// <summary>The pid of the slot's worker; <see langword="null"/> while none runs (not started yet, or waiting to restart).</summary>
    public int? ProcessId { get; init; }

    /// <summary>The Python version the worker runs.</summary>
    public string? PythonVersion { get; init; }

    /// <summary>When the current worker started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The check instances assigned to the slot.</summary>
    public required int Checks { get; init; }

    /// <summary>Runs that ended on the slot's workers since the host started.</summary>
    public required long Runs { get; init; }

    /// <summary>How many times a worker of the slot ended and was (or will be) started again.</summary>
    public required int Restarts { get; init; }

    /// <summary>The worker's resident memory (RSS) in bytes; <see langword="null"/> while none runs.</summary>
    public long? ResidentBytes { get; init; }

    /// <summary>How the slot's last worker ended (signal or exit code, and its last lines on stderr); <see langword="null"/> if none ended.</summary>
    public string? LastExit { get; init; }
}
