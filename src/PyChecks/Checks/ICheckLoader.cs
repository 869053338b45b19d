using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>
/// Turns a configured check instance into an <see cref="ICheck"/>. Several loaders can be registered;
/// they are tried in order and the first that loads the check wins. When none does, the error lists
/// every loader's reason.
/// </summary>
public interface ICheckLoader
{
    /// <summary>A short name for error messages, e.g. <c>python</c>.</summary>
    string Name { get; }

    /// <summary>Loads <paramref name="config"/>, or says why it cannot.</summary>
    /// <param name="config">The check instance to load.</param>
    /// <param name="check">The loaded check, on success.</param>
    /// <param name="reason">Why it could not be loaded (with a Python traceback where there is one), on failure.</param>
    bool TryLoad(CheckInstanceConfig config, [NotNullWhen(true)] out ICheck? check, [NotNullWhen(false)] out string? reason);
}
