namespace PyChecks.Interop;

/// <summary>What a profile shows of a code object: read once, when the code object is first seen.</summary>
/// <param name="QualifiedName"><c>co_qualname</c> (3.11+), else <c>co_name</c>.</param>
/// <param name="FileName"><c>co_filename</c>.</param>
/// <param name="FirstLine"><c>co_firstlineno</c>.</param>
internal sealed record CodeInfo(string QualifiedName, string FileName, int FirstLine);
