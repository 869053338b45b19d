using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>Why <see cref="IProfiler.StartAsync"/> refused a request (the control API maps each to a status code).</summary>
[Experimental("PYCHECKS001")]
public enum ProfileRequestError
{
    /// <summary>A field is out of range; <see cref="ProfileRequestException.Field"/> names it (HTTP 400).</summary>
    Invalid,

    /// <summary>No scheduled check instance has that id (HTTP 404).</summary>
    UnknownCheck,

    /// <summary>The check already has an active task (HTTP 409); <see cref="ProfileRequestException.ActiveTaskId"/> names it.</summary>
    Conflict,

    /// <summary>As many tasks as <see cref="ProfilerOptions.MaxConcurrentTasks"/> are already active (HTTP 429).</summary>
    TooManyTasks,
}
