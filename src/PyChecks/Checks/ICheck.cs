namespace PyChecks;

/// <summary>A loaded check instance: one Python check object configured with one instance.</summary>
public interface ICheck : IDisposable
{
    /// <summary>The instance's id: <c>name:digest</c> or <c>name:instance name:digest</c>, stable across restarts.</summary>
    string Id { get; }

    /// <summary>The check's name (its module name).</summary>
    string Name { get; }

    /// <summary>The module's <c>__version__</c>, or <c>unversioned</c>.</summary>
    string Version { get; }

    /// <summary>How often the check wants to run (<c>min_collection_interval</c>).</summary>
    TimeSpan Interval { get; }

    /// <summary>Where the check came from, e.g. <c>python:/srv/checks.d/hello.py</c>.</summary>
    string Source { get; }

    /// <summary>Warnings raised while loading (Python's <c>SyntaxWarning</c>, <c>DeprecationWarning</c>, … while importing the module).</summary>
    IReadOnlyList<string> LoadWarnings { get; }

    /// <summary>Metadata the check reported (<c>self.set_metadata(name, value)</c>), latest value per name.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Runs the check once: calls its <c>run()</c>, then commits what it submitted to every sender.</summary>
    /// <remarks>
    /// A Python check runs on a Python worker thread, or, called without a token that can be cancelled from a thread that is
    /// neither a thread-pool thread nor under a <see cref="SynchronizationContext"/>, on the calling thread when its previous
    /// run was short (<see cref="PythonRuntimeOptions.CallingThreadRunLimit"/>): the task is then complete on return.
    /// </remarks>
    /// <param name="cancellationToken">
    /// Cancels the run if it has not started yet (the task is then cancelled); once it has started, interrupts it by
    /// raising <c>pychecks.CheckInterrupt</c> in the check's Python code, and the result says
    /// <see cref="CheckRunResult.Interrupted"/>. Code blocked in C (a <c>time.sleep</c>, a socket read without a
    /// timeout) is interrupted only when it returns to Python.
    /// </param>
    /// <returns>The outcome; a check that raised gives a failed result, not an exception.</returns>
    /// <exception cref="InvalidOperationException">The check is already running (a check instance runs one run at a time); the task faults with it.</exception>
    Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default);

    /// <summary>Asks the check to stop: calls its <c>cancel()</c> (Datadog checks release resources there).</summary>
    void Cancel();
}
