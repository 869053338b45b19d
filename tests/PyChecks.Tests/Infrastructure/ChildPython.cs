namespace PyChecks.Tests.Infrastructure;

/// <summary>Inside a scenario child process: the libpython the parent chose.</summary>
public static class ChildPython
{
    /// <summary>The library path given by the parent.</summary>
    public static string Library => Environment.GetEnvironmentVariable(Isolated.LibraryVariable)
        ?? throw new InvalidOperationException($"{Isolated.LibraryVariable} is not set: this code runs only in a scenario child process.");

    /// <summary>The python executable matching <see cref="Library"/>.</summary>
    public static string Executable => Environment.GetEnvironmentVariable(Isolated.ExecutableVariable)
        ?? throw new InvalidOperationException($"{Isolated.ExecutableVariable} is not set: this code runs only in a scenario child process.");

    /// <summary>Initializes the runtime from the parent's library.</summary>
    public static PythonRuntime Initialize(Action<PythonRuntimeOptions>? configure = null)
    {
        var options = new PythonRuntimeOptions { Python = Library };
        configure?.Invoke(options);
        return PythonRuntime.Initialize(options);
    }
}
