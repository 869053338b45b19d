namespace PyChecks;

/// <summary>
/// A held GIL on the current thread; see <see cref="IGilScope"/>. Obtain one with
/// <c>PythonRuntime.AcquireGil()</c> in a <see langword="using"/> declaration.
/// </summary>
public readonly ref struct GilScope : IGilScope
{
    private readonly Interop.ThreadGil? _thread;
    private readonly int _level;

    internal GilScope(Interop.ThreadGil thread, int level)
    {
        _thread = thread;
        _level = level;
    }

    /// <inheritdoc />
    public int Depth => _level;

    /// <summary>Leaves the scope; the outermost scope releases the GIL.</summary>
    /// <exception cref="InvalidOperationException">
    /// The scope is disposed on another thread than the one that acquired it, out of order, or twice.
    /// </exception>
    public void Dispose() => _thread?.Exit(_level);
}
