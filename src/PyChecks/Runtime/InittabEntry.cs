namespace PyChecks.Runtime;

/// <summary>
/// A module written in .NET for CPython's table of built-in modules (<c>PyImport_AppendInittab</c>), added before the
/// interpreter starts: its name, and the <c>PyInit</c> function that creates it on first import. The runtime registers
/// the entries it is given and knows nothing of the modules themselves.
/// </summary>
internal readonly unsafe struct InittabEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="name">The name Python imports the module by.</param>
    /// <param name="init">The module's <c>PyInit</c> function: an <c>[UnmanagedCallersOnly]</c> method returning a new reference.</param>
    public InittabEntry(string name, delegate* unmanaged<nint> init)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Init = init;
    }

    /// <summary>The name Python imports the module by.</summary>
    public string Name { get; }

    /// <summary>The module's <c>PyInit</c> function.</summary>
    public delegate* unmanaged<nint> Init { get; }
}
