namespace PyChecks.Tool.Json;

/// <summary>The Python a <c>check</c> command ran on, in <see cref="CheckCommandReport"/>.</summary>
/// <param name="Version">Its version, e.g. <c>3.11.2</c>.</param>
/// <param name="LibraryPath">The libpython loaded.</param>
/// <param name="FoundBy">The discovery step that found it.</param>
/// <param name="Executable">The python executable CPython was started as, if one matches the library.</param>
internal sealed record CheckCommandPython(string Version, string LibraryPath, string FoundBy, string? Executable);
