using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// A dedicated thread that runs one benchmark case's rounds, so that each case keeps the thread it
/// needs (B2's cases: a thread with a persistent thread state, one with none), as BenchmarkDotNet's
/// process per case does.
/// </summary>
internal sealed class CaseThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    /// <summary>Starts the thread.</summary>
    public CaseThread(string name)
    {
        _thread = new Thread(() =>
        {
            foreach (var work in _work.GetConsumingEnumerable())
            {
                work();
            }
        })
        {
            Name = name,
            IsBackground = true,
        };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread and returns its result; rethrows what it threw.</summary>
    public T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try
            {
                result = work();
            }
#pragma warning disable CA1031 // Rethrown on the calling thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        failure?.Throw();
        return result;
    }

    /// <summary>Ends the thread once its queued work is done.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }
}
