namespace PyChecks;

/// <summary>One frame of a profile's frame table: a code object at a line.</summary>
/// <param name="Id">The frame's index in <see cref="ProfileResult.Frames"/>.</param>
/// <param name="Name">The function's qualified name (<c>co_qualname</c> on 3.11+, else <c>co_name</c>), or <c>&lt;truncated&gt;</c> for the marker that stands for the outermost frames of a stack deeper than the task's max depth.</param>
/// <param name="File">The code's file (<c>co_filename</c>); empty for the marker.</param>
/// <param name="Line">The line the frame was at.</param>
/// <param name="FirstLine">The function's first line (<c>co_firstlineno</c>).</param>
public sealed record ProfileFrame(int Id, string Name, string File, int Line, int FirstLine)
{
    /// <summary>The name of the marker frame at the root of truncated stacks.</summary>
    public const string TruncatedName = "<truncated>";

    /// <summary>The frame's label in folded stacks: <c>name (file:line)</c>, or <c>name (file)</c> without lines.</summary>
    /// <param name="includeLine">Whether to include the line.</param>
    public string Label(bool includeLine) =>
        File.Length == 0 ? Name
        : includeLine ? $"{Name} ({File}:{Line})"
        : $"{Name} ({File})";
}
