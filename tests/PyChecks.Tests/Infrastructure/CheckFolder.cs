using Microsoft.Extensions.Logging;

namespace PyChecks.Tests.Infrastructure;

/// <summary>A temporary <c>checks.d</c> + <c>conf.d</c> pair, and a <see cref="CheckHost"/> started on it in a scenario child process.</summary>
public sealed class CheckFolder
{
    public CheckFolder()
    {
        Root = Directory.CreateTempSubdirectory("pychecks-checks").FullName;
        ChecksDirectory = Directory.CreateDirectory(Path.Combine(Root, "checks.d")).FullName;
        ConfigDirectory = Directory.CreateDirectory(Path.Combine(Root, "conf.d")).FullName;
    }

    public string Root { get; }

    public string ChecksDirectory { get; }

    public string ConfigDirectory { get; }

    /// <summary>Writes <c>checks.d/&lt;name&gt;.py</c>.</summary>
    public CheckFolder Check(string name, string source)
    {
        File.WriteAllText(Path.Combine(ChecksDirectory, name + ".py"), source);
        return this;
    }

    /// <summary>Writes <c>conf.d/&lt;name&gt;.yaml</c>.</summary>
    public CheckFolder Config(string name, string yaml)
    {
        File.WriteAllText(Path.Combine(ConfigDirectory, name + ".yaml"), yaml);
        return this;
    }

    /// <summary>Starts a host on this folder with the child's libpython.</summary>
    public CheckHost Start(IEnumerable<ISender> senders, Action<PyChecksOptions>? configure = null, ILoggerFactory? loggerFactory = null, AgentServices? agentServices = null)
    {
        var options = new PyChecksOptions
        {
            ChecksDirectory = ChecksDirectory,
            ConfigDirectory = ConfigDirectory,
            Python = new PythonRuntimeOptions { Python = ChildPython.Library },
            PersistentCacheDirectory = Path.Combine(Root, "cache"),
        };
        configure?.Invoke(options);
        return CheckHost.Start(options, senders, loggerFactory, agentServices: agentServices);
    }

    /// <summary>Loads every configured check and fails on any error.</summary>
    public static IReadOnlyList<ICheck> LoadAll(CheckHost host)
    {
        var report = host.LoadConfiguredChecks();
        if (report.Errors.Count > 0)
        {
            throw new InvalidOperationException("Loading failed:\n" + string.Join("\n", report.Errors.Select(e => e.Message)));
        }

        return report.Checks;
    }
}
