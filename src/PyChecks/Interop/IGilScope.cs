namespace PyChecks;

/// <summary>
/// Proof that the current thread holds Python's global interpreter lock (GIL). Every call into
/// Python happens inside a scope; disposing the scope releases the GIL when it is the outermost one.
/// </summary>
/// <remarks>
/// Scopes are thread-affine and nest: dispose them on the thread that acquired them, innermost first.
/// <see cref="GilScope"/>, the implementation <c>PythonRuntime.AcquireGil()</c> returns, is a
/// <see langword="ref"/> <see langword="struct"/>, so the compiler refuses to keep one across an
/// <see langword="await"/> (CS4007).
/// </remarks>
public interface IGilScope : IDisposable
{
    /// <summary>How many scopes the current thread holds, this one included (1 for the outermost).</summary>
    int Depth { get; }
}
