using System.Globalization;
using System.Runtime.InteropServices;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// How a worker process is started: the host's own <c>dotnet</c> runs this very assembly (it has an entry point for
/// the purpose), on the runtime version the host runs, from a runtime configuration written next to the sockets.
/// Nothing is installed besides the package.
/// </summary>
internal sealed class WorkerLaunch
{
    private WorkerLaunch(string dotnet, string runtimeConfig, string? depsFile, string assembly)
    {
        Dotnet = dotnet;
        RuntimeConfig = runtimeConfig;
        DepsFile = depsFile;
        Assembly = assembly;
    }

    public string Dotnet { get; }

    public string RuntimeConfig { get; }

    /// <summary>The host application's dependency manifest, so that the worker resolves every assembly as the host did.</summary>
    public string? DepsFile { get; }

    public string Assembly { get; }

    public IEnumerable<string> Arguments(string socketPath) => DepsFile is null
        ? ["exec", "--runtimeconfig", RuntimeConfig, Assembly, WorkerEntryPoint.WorkerSwitch, socketPath]
        : ["exec", "--runtimeconfig", RuntimeConfig, "--depsfile", DepsFile, Assembly, WorkerEntryPoint.WorkerSwitch, socketPath];

    /// <summary>Finds <c>dotnet</c> and writes the runtime configuration into <paramref name="folder"/>.</summary>
    public static WorkerLaunch Prepare(string folder)
    {
        string assembly = typeof(WorkerLaunch).Assembly.Location;
        if (string.IsNullOrEmpty(assembly))
        {
            throw new InvalidOperationException("PyChecks.dll has no file (the host is single-file or loaded it from memory), so worker processes cannot be started; run checks in process.");
        }

        // The frameworks the host runs on (an ASP.NET Core host's assemblies may come from its framework), at the
        // versions it runs, read from the assemblies it was given.
        var frameworks = FrameworksInUse();
        if (frameworks.Count == 0)
        {
            throw new InvalidOperationException("the host is self-contained (its runtime is not a shared framework), so worker processes cannot be started with dotnet; run checks in process");
        }

        string runtimeConfig = Path.Combine(folder, "worker.runtimeconfig.json");
        string list = string.Join(", ", frameworks.Select(static f => $$"""{ "name": "{{f.Name}}", "version": "{{f.Version}}" }"""));
        File.WriteAllText(runtimeConfig, string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "runtimeOptions": {
                "tfm": "net{{Environment.Version.Major}}.{{Environment.Version.Minor}}",
                "frameworks": [ {{list}} ],
                "configProperties": { "System.GC.Concurrent": false, "System.GC.RetainVM": false }
              }
            }
            """));
        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(static f => !f.Contains($"{Path.DirectorySeparatorChar}shared{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && File.Exists(f));
        return new WorkerLaunch(FindDotnet(), runtimeConfig, deps, assembly);
    }

    private static List<(string Name, string Version)> FrameworksInUse()
    {
        string separator = Path.DirectorySeparatorChar.ToString();
        var found = new List<(string Name, string Version)>();
        foreach (string path in (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // <root>/shared/<framework>/<version>/<assembly>.dll
            string? versionDir = Path.GetDirectoryName(path);
            string? frameworkDir = versionDir is null ? null : Path.GetDirectoryName(versionDir);
            string? sharedDir = frameworkDir is null ? null : Path.GetDirectoryName(frameworkDir);
            if (sharedDir is not null && Path.GetFileName(sharedDir) == "shared" && !sharedDir.EndsWith(separator, StringComparison.Ordinal))
            {
                var framework = (Path.GetFileName(frameworkDir!), Path.GetFileName(versionDir!));
                if (!found.Contains(framework))
                {
                    found.Add(framework);
                }
            }
        }

        return found;
    }

    private static string FindDotnet()
    {
        // The muxer that runs this host, else the one of the runtime in use: <root>/shared/Microsoft.NETCore.App/<version>/.
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Directory.GetParent(Path.TrimEndingDirectorySeparator(runtime))?.Parent?.Parent;
        string? candidate = root is null ? null : Path.Combine(root.FullName, "dotnet");
        if (candidate is not null && File.Exists(candidate))
        {
            return candidate;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        throw new InvalidOperationException($"PyChecks cannot find the dotnet executable to start worker processes with (looked next to the runtime in {runtime}, and at DOTNET_HOST_PATH)");
    }
}
