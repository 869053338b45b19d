namespace PyChecks.Profiling;

/// <summary>
/// Hands the profile tasks of checks that run in another process (a worker process) to that process, which samples
/// them with a profiler of its own and sends back what it sampled (<see cref="ProfileSession.Merge"/>). Defined here
/// and implemented above this layer, by the part that knows where each check runs.
/// </summary>
internal interface IProfileForwarder
{
    /// <summary>Whether <paramref name="checkId"/> runs in another process (its tasks are then forwarded there).</summary>
    /// <param name="checkId">A check instance's id.</param>
    bool Forwards(string checkId);

    /// <summary>
    /// Starts the session's task in the process that runs its check. The session starts running when that process
    /// says it does; a failure to get it there ends the session failed (never throws).
    /// </summary>
    /// <param name="session">A pending session of a check this forwarder <see cref="Forwards"/>.</param>
    Task StartAsync(ProfileSession session);

    /// <summary>Asks the process that runs the session's task to end it and send its last samples.</summary>
    /// <param name="session">A session given to <see cref="StartAsync"/>.</param>
    void Stop(ProfileSession session);
}
