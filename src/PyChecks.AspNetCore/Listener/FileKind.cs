namespace PyChecks.AspNetCore.Listener;

/// <summary>The kinds of file the runtime folder may hold, and what matters about the rest.</summary>
internal enum FileKind
{
    Other,
    RegularFile,
    Directory,
    SymbolicLink,
    Socket,
}
