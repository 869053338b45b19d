using PyChecks.Interop;

namespace PyChecks.Checks;

/// <summary>The objects a run hands to other threads: its work item for a worker, and its interrupt request for a cancel.</summary>
internal sealed partial class PythonCheck
{
    /// <summary>One run queued by <see cref="TryRunOnWorker"/>; kept by its check for the next once it has ended.</summary>
    private sealed class WorkerRun(PythonCheck check) : Workers.PythonWorkItem
    {
        private Action<CheckRunResult?, Exception?, object?> _completed = null!;
        private object? _state;
        private Action<object?>? _acquired;
        private CancellationToken _cancellationToken;

        public void Set(Action<CheckRunResult?, Exception?, object?> completed, object? state, Action<object?>? acquired, CancellationToken cancellationToken)
        {
            _completed = completed;
            _state = state;
            _acquired = acquired;
            _cancellationToken = cancellationToken;
        }

        public override void Execute()
        {
            var (completed, state, acquired, cancellationToken) = (_completed, _state, _acquired, _cancellationToken);
            CheckRunResult? result = null;
            Exception? error = null;
            if (cancellationToken.IsCancellationRequested)
            {
                error = new OperationCanceledException(cancellationToken);
            }
            else
            {
                try
                {
                    using (ThreadGil.EnterMeasured())
                    {
                        acquired?.Invoke(state);
                        result = check.Run();
                    }
                }
                catch (Exception e)
                {
                    error = e;
                }
            }

            // Back to the check before the run ends: once it has, the next run may take this item and set it again, so
            // nothing below reads a field.
            Set(null!, null, null, default);
            Volatile.Write(ref check._spareWorkerRun, this);
            check.EndRun();
            try
            {
                completed(result, error, state);
            }
            catch (Exception)
            {
                // The callback is the scheduler's bookkeeping; whatever it does, the worker thread must survive.
            }
        }
    }

    /// <summary>A cancellation callback for one run; the interrupt itself runs on the thread pool, never on the canceller's thread.</summary>
    private sealed class InterruptRequest(PythonCheck check)
    {
        /// <summary>The run it interrupts; set before it is registered, and never again once its callback may have run.</summary>
        public long RunNumber;

        public void Post()
        {
            check.InterruptRequested();
            ThreadPool.UnsafeQueueUserWorkItem(static request => request.Execute(), this, preferLocal: false);
        }

        private void Execute() => check.Interrupt(RunNumber);
    }
}
