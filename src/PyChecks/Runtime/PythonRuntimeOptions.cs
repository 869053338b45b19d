using System.ComponentModel.DataAnnotations;

namespace PyChecks;

/// <summary>How to find and start the embedded Python interpreter.</summary>
public sealed class PythonRuntimeOptions
{
    /// <summary>
    /// The Python to embed: the path of a libpython shared library (<c>libpython3.11.so.1.0</c>) or of a
    /// python executable, whose <c>sysconfig</c> names its library. When unset, discovery tries
    /// <c>PYCHECKS_PYTHON</c>, <c>PYTHONNET_PYDLL</c>, the active virtual environment, <c>python3</c> on
    /// <c>PATH</c> and well-known system paths, in that order.
    /// </summary>
    public string? Python { get; set; }

    /// <summary>Folders put at the front of <c>sys.path</c> at start, in this order, before every other entry.</summary>
    public IList<string> SearchPaths { get; } = [];

    /// <summary>
    /// Start Python isolated, as <c>python -I</c> does: <c>PYTHONPATH</c>, <c>PYTHONHOME</c> and every other
    /// <c>PYTHON*</c> variable are ignored, and the user's site-packages (<c>~/.local/lib/python3.X</c>) are not
    /// on <c>sys.path</c>. A virtual environment is honoured either way. Default: <see langword="false"/>, which
    /// starts Python as the chosen <c>python</c> executable starts, environment variables included.
    /// </summary>
    public bool Isolated { get; set; }

    /// <summary>
    /// How long <see cref="PythonRuntime.Shutdown(TimeSpan?)"/> waits for threads to leave their GIL
    /// scopes and for <c>Py_FinalizeEx</c> to return. Default: 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Number of dedicated threads that run work given to <see cref="PythonRuntime.RunAsync{T}(Func{T}, CancellationToken)"/>:
    /// the most check runs in progress at once. Python runs one thread at a time (the GIL), so more workers help
    /// only checks that wait on I/O. Default: 2.
    /// </summary>
    [Range(1, 64)]
    public int WorkerCount { get; set; } = 2;

    /// <summary>
    /// A Python check's <see cref="ICheck.RunAsync"/>, called without a cancellation token from a thread that is neither
    /// a thread-pool thread nor under a <see cref="SynchronizationContext"/>, runs on the calling thread (in a GIL scope of
    /// its own) instead of a worker when the check's previous run took no longer than this: such a run costs less than
    /// the hop to a worker and back (a few microseconds, or tens when a sleeping thread must be woken). The task is then
    /// complete when <c>RunAsync</c> returns. A run given a token that can be cancelled always goes to a worker, so that its
    /// caller can interrupt it or stop waiting for it; so do the first run and every run after a longer one.
    /// <see cref="TimeSpan.Zero"/> sends every run to a worker. Default: 100 µs.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan CallingThreadRunLimit { get; set; } = TimeSpan.FromMicroseconds(100);

    /// <summary>The library and executable a worker process starts, as its host found them; <see langword="null"/> to search.</summary>
    internal (string LibraryPath, string? Executable)? KnownLocation { get; set; }
}
