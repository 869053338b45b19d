namespace PyChecks.Checks;

/// <summary>
/// Tries each registered loader in order, then the Python loader of the instance's isolation; when none loads the
/// check, throws with every loader's reason.
/// </summary>
internal sealed class CheckLoaderChain(IReadOnlyList<ICheckLoader> loaders, ICheckLoader inProcess, Func<ICheckLoader>? inWorkerProcess = null, Func<CheckInstanceConfig, CheckIsolation>? isolationOf = null)
{
    public IReadOnlyList<ICheckLoader> Loaders { get; } = [.. loaders, inProcess];

    /// <exception cref="CheckLoadException">No loader could load the check.</exception>
    public ICheck Load(CheckInstanceConfig config)
    {
        var errors = new List<(string Loader, string Error)>();
        var python = inWorkerProcess is not null && isolationOf?.Invoke(config) == CheckIsolation.Process ? inWorkerProcess() : inProcess;
        foreach (var loader in loaders.Append(python))
        {
            try
            {
                if (loader.TryLoad(config, out var check, out string? error))
                {
                    return check;
                }

                errors.Add((loader.Name, error));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add((loader.Name, $"the loader threw {e.GetType().Name}: {e.Message}"));
            }
        }

        throw new CheckLoadException(config.CheckName, errors);
    }
}
