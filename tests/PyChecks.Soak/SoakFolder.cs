using System.Globalization;

namespace PyChecks.Soak;

/// <summary>A temporary folder with <c>checks.d</c> (the scenario's check modules) and a persistent cache folder; removed on dispose.</summary>
internal sealed class SoakFolder : IDisposable
{
    /// <summary>The small check of the soak: ten gauges with two tags each, per run.</summary>
    public const string SmallCheck = """
        from datadog_checks.base import AgentCheck

        class SmallCheck(AgentCheck):
            def check(self, instance):
                tags = ['env:soak', 'instance:' + str(instance.get('index', 0))]
                for i in range(10):
                    self.gauge('soak.value', i * 1.5, tags=tags)
        """;

    public SoakFolder(string scenario)
    {
        Root = Directory.CreateTempSubdirectory($"pychecks-soak-{scenario}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-").FullName;
        ChecksDirectory = Directory.CreateDirectory(Path.Combine(Root, "checks.d")).FullName;
    }

    public string Root { get; }

    public string ChecksDirectory { get; }

    public string CacheDirectory => Path.Combine(Root, "cache");

    /// <summary><c>conf.d</c>, once <see cref="Config"/> has written a file into it.</summary>
    public string? ConfigDirectory { get; private set; }

    public SoakFolder Check(string name, string source)
    {
        File.WriteAllText(Path.Combine(ChecksDirectory, name + ".py"), source);
        return this;
    }

    /// <summary>Writes <c>conf.d/&lt;name&gt;.yaml</c>.</summary>
    public SoakFolder Config(string name, string yaml)
    {
        ConfigDirectory ??= Directory.CreateDirectory(Path.Combine(Root, "conf.d")).FullName;
        File.WriteAllText(Path.Combine(ConfigDirectory, name + ".yaml"), yaml);
        return this;
    }

    /// <summary>Options on this folder, with Python as the command line asked (discovery when not given).</summary>
    public PyChecksOptions Options(SoakArguments arguments)
    {
        var options = new PyChecksOptions { ChecksDirectory = ChecksDirectory, PersistentCacheDirectory = CacheDirectory };
        Configure(options, arguments);
        return options;
    }

    /// <summary>Points <paramref name="options"/> at this folder and at the Python the command line asked for.</summary>
    public void Configure(PyChecksOptions options, SoakArguments arguments)
    {
        options.ChecksDirectory = ChecksDirectory;
        options.PersistentCacheDirectory = CacheDirectory;
        options.ConfigDirectory = ConfigDirectory;
        if (arguments.Python is not null)
        {
            options.Python.Python = arguments.Python;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A socket or file still open; the temporary folder is left behind.
        }
    }
}
