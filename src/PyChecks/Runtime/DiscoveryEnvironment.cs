namespace PyChecks.Runtime;

/// <summary>What runtime discovery reads from the machine; tests give their own.</summary>
internal sealed class DiscoveryEnvironment
{
    /// <summary>The process environment and the usual system library folders.</summary>
    public static DiscoveryEnvironment Process { get; } = new(
        Environment.GetEnvironmentVariable,
        ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/local/lib", "/usr/lib"]);

    public DiscoveryEnvironment(Func<string, string?> getVariable, IReadOnlyList<string> wellKnownDirectories)
    {
        GetVariable = getVariable;
        WellKnownDirectories = wellKnownDirectories;
    }

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> GetVariable { get; }

    /// <summary>Folders searched last, for <c>libpython3.X.so.1.0</c>.</summary>
    public IReadOnlyList<string> WellKnownDirectories { get; }

    /// <summary>How long a python executable may take to answer the sysconfig query.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
