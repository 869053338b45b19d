namespace PyChecks.Checks.Isolation;

/// <summary>The type byte of a worker protocol frame. Below 64: host to worker; from 64: worker to host.</summary>
internal enum MessageType : byte
{
    /// <summary>Host → worker, first: the protocol version and the settings to start Python with.</summary>
    Hello = 1,

    /// <summary>Host → worker: load a check instance under a handle.</summary>
    Load = 2,

    /// <summary>Host → worker: run the instance of a handle once.</summary>
    Run = 3,

    /// <summary>Host → worker: interrupt a run.</summary>
    Cancel = 4,

    /// <summary>Host → worker: dispose of the instance of a handle.</summary>
    Unload = 5,

    /// <summary>Host → worker: finish the runs in progress, stop Python and exit.</summary>
    Shutdown = 6,

    /// <summary>Host → worker: profile the runs of the instances of a check id, as the host's profile task of a task id.</summary>
    ProfileStart = 7,

    /// <summary>Host → worker: end a profile task and send its last samples.</summary>
    ProfileStop = 8,

    /// <summary>Host → worker: the answer of the host's Agent service to a <see cref="ServiceCall"/>.</summary>
    ServiceAnswer = 9,

    /// <summary>Worker → host: Python started (pid, version), or why it did not.</summary>
    Ready = 64,

    /// <summary>Worker → host: an instance loaded (its identity) or failed to load (why).</summary>
    Loaded = 65,

    /// <summary>Worker → host: what an instance submitted, in order, strings by id once sent.</summary>
    Submissions = 66,

    /// <summary>Worker → host: a run ended, with its result.</summary>
    RunDone = 67,

    /// <summary>Worker → host: a log record of the worker's PyChecks or of a check's Python logging.</summary>
    Log = 68,

    /// <summary>Worker → host: what a profile task sampled since its previous message, and its state (the first says it runs).</summary>
    ProfileProgress = 69,

    /// <summary>Worker → host: a profile task ended: its last samples and how it ended.</summary>
    ProfileDone = 70,

    /// <summary>Worker → host: a check called an Agent service the host provides (<see cref="ITagger"/>, <see cref="IContainerFilter"/>, <see cref="IKubeletConnection"/>).</summary>
    ServiceCall = 71,
}
