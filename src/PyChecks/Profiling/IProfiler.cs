using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>
/// On-demand profiling of running checks: a task samples the Python stack of every run of one check instance, at an
/// interval, for a duration, and keeps the result as folded stacks, speedscope JSON or PyChecks' JSON. Registered by
/// <c>services.AddPyChecks(…)</c>; its sampler thread runs only while a task is active.
/// </summary>
[Experimental("PYCHECKS001")]
public interface IProfiler
{
    /// <summary>
    /// Starts a task: from now until its duration elapses (or its <see cref="ProfileRequest.MaxRuns"/> are profiled, or it is
    /// cancelled), each run of the check is sampled while it runs.
    /// </summary>
    /// <param name="request">The check and the sampling parameters.</param>
    /// <param name="cancellationToken">Stops waiting for the sampler to pick the task up (the task is then cancelled).</param>
    /// <returns>The task, running.</returns>
    /// <exception cref="ProfileRequestException">
    /// The request is invalid (a field out of range), names no scheduled check, conflicts with the check's active task, or
    /// too many tasks are active; <see cref="ProfileRequestException.Error"/> says which.
    /// </exception>
    Task<ProfileTask> StartAsync(ProfileRequest request, CancellationToken cancellationToken = default);

    /// <summary>A task, active or among the last ended ones.</summary>
    /// <param name="taskId">The task's id.</param>
    /// <returns>The task, or <see langword="null"/> when unknown or forgotten.</returns>
    ProfileTask? GetTask(string taskId);

    /// <summary>The active tasks and the last ended ones, newest first.</summary>
    IReadOnlyList<ProfileTask> ListTasks();

    /// <summary>Cancels an active task; what it sampled so far is kept as its result.</summary>
    /// <param name="taskId">The task's id.</param>
    /// <returns>The task after cancellation (already ended: unchanged), or <see langword="null"/> when unknown.</returns>
    ProfileTask? Cancel(string taskId);

    /// <summary>What a task has sampled (so far, while it runs).</summary>
    /// <param name="taskId">The task's id.</param>
    /// <returns>The result, or <see langword="null"/> when the task is unknown or forgotten.</returns>
    ProfileResult? GetResult(string taskId);
}
