namespace PyChecks.Orleans.Dispatch;

/// <summary>
/// A pass of work run on a background loop whenever it is signalled, and at least every period. Signals that come while
/// a pass is pending coalesce into that pass; a pass that fails is reported and the loop goes on.
/// </summary>
internal sealed class SignalledLoop(TimeSpan period, TimeSpan gather, Func<CancellationToken, Task> pass, Action<Exception> failed) : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private CancellationTokenSource? _stopping;
    private Task _loop = Task.CompletedTask;

    /// <summary>Asks for a pass: the next one starts at once (after <c>gather</c>), or the pending one takes this signal too.</summary>
    public void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already pending: it sees this change too.
        }
        catch (ObjectDisposedException)
        {
            // Disposed with the silo.
        }
    }

    /// <summary>Starts the loop, with a first pass at once.</summary>
    public void Start()
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        Signal();
    }

    /// <summary>Stops the loop; a pass in progress is cancelled. Completes once it has ended, or when <paramref name="cancellationToken"/> is.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping?.Dispose();
        _signal.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(period, cancellationToken).ConfigureAwait(false);
                if (gather > TimeSpan.Zero)
                {
                    await Task.Delay(gather, cancellationToken).ConfigureAwait(false);
                }

                await pass(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failed(e);
            }
        }
    }
}
