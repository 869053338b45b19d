using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using PyChecks.Checks.Configuration;

namespace PyChecks.Benchmarks;

/// <summary>
/// Starts the embedded Python for a benchmark process and runs set-up work that needs the GIL.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs [GlobalSetup] and the benchmark on the same thread. Set-up therefore takes
/// the GIL on a short-lived thread of its own, so that the benchmark thread starts with no Python
/// thread state: the GIL benchmarks (B2) depend on it.
/// </remarks>
internal static class PythonHost
{
    /// <summary>The reference Python: Debian's libpython3.11.</summary>
    public const string ReferenceLibrary = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

    /// <summary>The environment variable that picks another Python (a libpython or a python executable).</summary>
    public const string Variable = "PYCHECKS_PYTHON";

    /// <summary>The Python this run uses, as requested: <c>PYCHECKS_PYTHON</c> or the reference library.</summary>
    public static string Requested =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } requested ? requested : ReferenceLibrary;

    /// <summary>Starts Python (once per process) and prints its version to the benchmark log.</summary>
    public static PythonRuntime Start()
    {
        if (PythonRuntime.Current is { } running)
        {
            return running;
        }

        var options = new PythonRuntimeOptions();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            // Otherwise discovery reads PYCHECKS_PYTHON itself.
            options.Python = ReferenceLibrary;
        }

        var runtime = PythonRuntime.Initialize(options);
        Console.WriteLine($"// Python {runtime.Version} ({runtime.Version.FullVersion.ReplaceLineEndings(" ")}) from {runtime.Location.LibraryPath}");
        return runtime;
    }

    /// <summary>
    /// Starts a <see cref="CheckHost"/> (once per process) whose <c>checks.d</c> holds one module,
    /// <paramref name="name"/>.py, and loads one check instance per entry of <paramref name="instances"/>.
    /// </summary>
    public static (CheckHost Host, IReadOnlyList<ICheck> Checks) StartChecks(string name, string source, ISender sender, params IReadOnlyDictionary<string, object?>[] instances) =>
        StartChecks(name, source, sender, [], instances);

    /// <summary>As <see cref="StartChecks(string, string, ISender, IReadOnlyDictionary{string, object?}[])"/>, with <paramref name="searchPaths"/> first on <c>sys.path</c>.</summary>
    public static (CheckHost Host, IReadOnlyList<ICheck> Checks) StartChecks(string name, string source, ISender sender, IReadOnlyList<string> searchPaths, params IReadOnlyDictionary<string, object?>[] instances) =>
        StartChecks([new CheckModule(name, source, instances)], sender, searchPaths);

    /// <summary>
    /// Starts a <see cref="CheckHost"/> (once per process) whose <c>checks.d</c> holds every module of
    /// <paramref name="modules"/>, and loads their instances, in the order given; <paramref name="configure"/>, when
    /// given, changes the options last (the worker processes, say).
    /// </summary>
    public static (CheckHost Host, IReadOnlyList<ICheck> Checks) StartChecks(IReadOnlyList<CheckModule> modules, ISender sender, IReadOnlyList<string> searchPaths, Action<PyChecksOptions>? configure = null)
    {
        string root = Directory.CreateTempSubdirectory("pychecks-bench").FullName;
        string checksDirectory = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        var options = new PyChecksOptions { ChecksDirectory = checksDirectory, PersistentCacheDirectory = Path.Combine(root, "cache") };
        foreach (var module in modules)
        {
            File.WriteAllText(Path.Combine(checksDirectory, module.Name + ".py"), module.Source);
            options.Checks.Add(new CheckConfig { Name = module.Name, Instances = module.Instances });
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            options.Python = new PythonRuntimeOptions { Python = ReferenceLibrary };
        }

        foreach (string path in searchPaths)
        {
            options.Python.SearchPaths.Add(path);
        }

        configure?.Invoke(options);
        var host = CheckHost.Start(options, [sender]);
        Console.WriteLine($"// Python {host.Runtime.Version} ({host.Runtime.Version.FullVersion.ReplaceLineEndings(" ")}) from {host.Runtime.Location.LibraryPath}");
        var report = host.LoadConfiguredChecks();
        if (report.Errors.Count > 0)
        {
            host.Dispose();
            throw new InvalidOperationException("Loading the benchmark checks failed:\n" + string.Join("\n", report.Errors.Select(e => e.Message)));
        }

        var checks = new List<ICheck>();
        foreach (var module in modules)
        {
            // The report lists instances by check; keep the caller's order of modules.
            checks.AddRange(report.Checks.Where(c => c.Name == module.Name));
        }

        return (host, checks);
    }

    /// <summary>
    /// Loads the instances of <paramref name="module"/> into a running <paramref name="host"/>, writing the module into its
    /// <c>checks.d</c> first when it is not there with that source (the quick mode adds modules to its one host this way).
    /// </summary>
    public static IReadOnlyList<ICheck> LoadInto(CheckHost host, CheckModule module)
    {
        string path = Path.Combine(host.Options.ChecksDirectory!, module.Name + ".py");
        if (!File.Exists(path) || File.ReadAllText(path) != module.Source)
        {
            File.WriteAllText(path, module.Source);
            host.InvalidateChangedModules();
        }

        return [.. CheckConfigReader.Resolve(new CheckConfig { Name = module.Name, Instances = module.Instances }).Select(host.Load)];
    }

    /// <summary>Runs a check once and throws if the run failed.</summary>
    public static CheckRunResult RunOnce(ICheck check)
    {
        var result = check.RunAsync().GetAwaiter().GetResult();
        return result.Succeeded ? result : throw new InvalidOperationException($"{check.Id} failed: {result.Error}\n{result.Traceback}");
    }

    /// <summary>Runs <paramref name="work"/> with the GIL held on a new thread and waits for it.</summary>
    public static T OnSetupThread<T>(PythonRuntime runtime, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (runtime.AcquireGil())
                {
                    result = work();
                }
            }
#pragma warning disable CA1031 // Any set-up failure is rethrown on the benchmark thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            Name = "benchmark set-up",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Releases <paramref name="objects"/> and shuts Python down.</summary>
    public static void Stop(PythonRuntime? runtime, params PyObject?[] objects)
    {
        foreach (var value in objects)
        {
            value?.Dispose(); // Without the GIL: queued, released during shutdown.
        }

        runtime?.Shutdown(TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// <c>PyGILState_GetThisThreadState</c>, which the core does not bind: the thread state
    /// <c>PyGILState_Ensure</c> would find for the calling thread (0 when it has none). Safe without the GIL.
    /// </summary>
    public static unsafe nint GilStateThisThreadState()
    {
        if (s_getThisThreadState == null)
        {
            // libpython is loaded RTLD_GLOBAL, so the process's global scope resolves its symbols.
            s_getThisThreadState = (delegate* unmanaged<nint>)NativeLibrary.GetExport(
                NativeLibrary.GetMainProgramHandle(), "PyGILState_GetThisThreadState");
        }

        return s_getThisThreadState();
    }

    private static unsafe delegate* unmanaged<nint> s_getThisThreadState;
}
