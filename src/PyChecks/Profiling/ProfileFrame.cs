using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>One frame of a profile's frame table: a code object at a line.</summary>
[Experimental("PYCHECKS001")]
public sealed record ProfileFrame
{
    // Only PyChecks creates these; hosts read them.
    internal ProfileFrame()
    {
    }

    /// <summary>The frame's index in <see cref="ProfileResult.Frames"/>.</summary>
    public int Id { get; internal init; }

    /// <summary>
    /// The function's qualified name (<c>co_qualname</c> on 3.11+, else <c>co_name</c>), or <c>&lt;truncated&gt;</c> for the
    /// marker that stands for the outermost frames of a stack deeper than the task's max depth.
    /// </summary>
    public string Name { get; internal init; } = "";

    /// <summary>The code's file (<c>co_filename</c>); empty for the marker.</summary>
    public string File { get; internal init; } = "";

    /// <summary>The line the frame was at.</summary>
    public int Line { get; internal init; }

    /// <summary>The function's first line (<c>co_firstlineno</c>).</summary>
    public int FirstLine { get; internal init; }

    /// <summary>The name of the marker frame at the root of truncated stacks.</summary>
    public const string TruncatedName = "<truncated>";

    /// <summary>The frame's label in folded stacks: <c>name (file:line)</c>, or <c>name (file)</c> without lines.</summary>
    /// <param name="includeLine">Whether to include the line.</param>
    public string Label(bool includeLine) =>
        File.Length == 0 ? Name
        : includeLine ? $"{Name} ({File}:{Line})"
        : $"{Name} ({File})";
}
