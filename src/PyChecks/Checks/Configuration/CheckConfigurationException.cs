using System.Globalization;

namespace PyChecks;

/// <summary>
/// A check configuration is unusable: unreadable or malformed YAML, a wrong shape (<c>instances</c> not a list,
/// an instance not a mapping, …) or a bad reserved key. The message reads
/// <c>file, line L, column C: what is wrong</c>, with whatever part of the location is known.
/// </summary>
public sealed class CheckConfigurationException : Exception
{
    /// <summary>Creates an exception with a message and no location.</summary>
    internal CheckConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message, a cause and no location.</summary>
    internal CheckConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a problem at a place in a file; the message is composed from both.</summary>
    /// <param name="file">The configuration file, or <see langword="null"/> for configuration given in code.</param>
    /// <param name="line">The 1-based line, when known.</param>
    /// <param name="column">The 1-based column, when known.</param>
    /// <param name="problem">What is wrong, without the location.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    internal CheckConfigurationException(string? file, int? line, int? column, string problem, Exception? innerException = null)
        : base(Compose(file, line, column, problem), innerException)
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>The configuration file (or directory) at fault; <see langword="null"/> for configuration given in code.</summary>
    public string? File { get; }

    /// <summary>The 1-based line of the problem in <see cref="File"/>, when known.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column of the problem in <see cref="File"/>, when known.</summary>
    public int? Column { get; }

    private static string Compose(string? file, int? line, int? column, string problem)
    {
        if (file is null)
        {
            return problem;
        }

        string location = line is null ? file
            : column is null ? string.Create(CultureInfo.InvariantCulture, $"{file}, line {line}")
            : string.Create(CultureInfo.InvariantCulture, $"{file}, line {line}, column {column}");
        return $"{location}: {problem}";
    }
}
