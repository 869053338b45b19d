using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>A profile request that <see cref="IProfiler.StartAsync"/> refused, and why.</summary>
[Experimental("PYCHECKS001")]
public sealed class ProfileRequestException : Exception
{
    /// <summary>Creates an exception with the <see cref="ProfileRequestError.Invalid"/> reason and no field.</summary>
    internal ProfileRequestException()
        : this(ProfileRequestError.Invalid, "The profile request was refused.")
    {
    }

    /// <summary>Creates an exception with the <see cref="ProfileRequestError.Invalid"/> reason and no field.</summary>
    /// <param name="message">What was wrong.</param>
    internal ProfileRequestException(string message)
        : this(ProfileRequestError.Invalid, message)
    {
    }

    /// <summary>Creates an exception with the <see cref="ProfileRequestError.Invalid"/> reason and no field.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    internal ProfileRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ProfileRequestError.Invalid;
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="error">Why the request was refused.</param>
    /// <param name="message">What was wrong, in words for the caller.</param>
    /// <param name="field">The request field at fault, for <see cref="ProfileRequestError.Invalid"/>.</param>
    /// <param name="activeTaskId">The task already active on the check, for <see cref="ProfileRequestError.Conflict"/>.</param>
    internal ProfileRequestException(ProfileRequestError error, string message, string? field = null, string? activeTaskId = null)
        : base(message)
    {
        Error = error;
        Field = field;
        ActiveTaskId = activeTaskId;
    }

    /// <summary>Why the request was refused.</summary>
    public ProfileRequestError Error { get; }

    /// <summary>The <see cref="ProfileRequest"/> property at fault (<see cref="ProfileRequestError.Invalid"/>), else <see langword="null"/>.</summary>
    public string? Field { get; }

    /// <summary>The id of the check's active task (<see cref="ProfileRequestError.Conflict"/>), else <see langword="null"/>.</summary>
    public string? ActiveTaskId { get; }

    internal static ProfileRequestException Invalid(string field, string message) => new(ProfileRequestError.Invalid, message, field);
}
