using System.Diagnostics;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// A virtual environment holding Datadog's toolkit and integrations, built as the shared folder's README says a user
/// would: Debian's <c>python3.11 -m venv --without-pip --system-site-packages</c> (its <c>python3-*</c> packages are
/// the toolkit's dependencies), pydantic 2 and the four packages it needs linked in from wherever they are on the
/// machine (only those folders, never a whole foreign <c>site-packages</c>), and a <c>.pth</c> file putting the
/// toolkit, every integration and <c>binary</c> on <c>sys.path</c>.
/// </summary>
internal sealed class ToolkitVenv : IDisposable
{
    /// <summary>The interpreter the venv is made from: Debian's, whose packages provide the toolkit's dependencies.</summary>
    public const string BasePython = "/usr/bin/python3.11";

    /// <summary>The shared library of <see cref="BasePython"/>, which the host embeds.</summary>
    public const string BaseLibrary = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";


    private ToolkitVenv(string root, string pydanticSource)
    {
        Root = root;
        PydanticSource = pydanticSource;
    }

    /// <summary>The venv's folder.</summary>
    public string Root { get; }

    /// <summary>The venv's python, which the host is pointed at.</summary>
    public string Python => Path.Combine(Root, "bin", "python");

    /// <summary>The venv's own <c>site-packages</c>.</summary>
    public string SitePackages => Path.Combine(Root, "lib", "python3.11", "site-packages");

    /// <summary>The <c>site-packages</c> folder pydantic 2 was linked from.</summary>
    public string PydanticSource { get; }

    /// <summary>
    /// Builds the venv in a new temporary folder, or returns why it cannot be built on this machine: Debian's
    /// python3.11 is absent, or pydantic 2 built for CPython 3.11 is nowhere.
    /// </summary>
    public static (ToolkitVenv? Venv, string? Missing) Build(DatadogToolkit toolkit)
    {
        if (!File.Exists(BasePython))
        {
            return (null, $"Debian's CPython 3.11 is not installed ({BasePython} is absent; .ci/run installs python3.11).");
        }

        // The venv's python is Debian's; PyChecks embeds the shared library that goes with it.
        if (!File.Exists(BaseLibrary))
        {
            return (null, $"Debian's CPython 3.11 shared library is not installed ({BaseLibrary} is absent; .ci/run installs libpython3.11).");
        }

        if (DatadogSources.ToolkitMissing() is { } missing)
        {
            return (null, missing);
        }

        string pydantic = DatadogSources.FindPydantic2().Folder!;

        string root = Directory.CreateTempSubdirectory("pychecks-datadog-venv").FullName;
        var venv = new ToolkitVenv(root, pydantic);
        try
        {
            Run(BasePython, "-m", "venv", "--without-pip", "--system-site-packages", root);
            venv.LinkPydantic();
            File.WriteAllLines(Path.Combine(venv.SitePackages, "datadog-toolkit.pth"),
            [
                toolkit.BaseFolder,
                .. DatadogToolkit.IntegrationNames.Select(name => toolkit.Integration(name).Folder),
                toolkit.BinaryFolder,
            ]);
        }
        catch
        {
            venv.Dispose();
            throw;
        }

        return (venv, null);
    }

    /// <summary>Removes the venv (the links, not what they point at).</summary>
    public void Dispose()
    {
        if (Directory.Exists(SitePackages))
        {
            foreach (var entry in new DirectoryInfo(SitePackages).EnumerateFileSystemInfos().Where(e => e.LinkTarget is not null))
            {
                entry.Delete(); // a link, removed without following it
            }
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Links each package and its <c>.dist-info</c> (so <c>importlib.metadata</c> knows the versions) into the venv.</summary>
    private void LinkPydantic()
    {
        foreach (string package in DatadogSources.PydanticPackages)
        {
            string source = Path.Combine(PydanticSource, package);
            Link(source);
            string distribution = Path.GetFileNameWithoutExtension(package);
            foreach (string info in Directory.EnumerateDirectories(PydanticSource, distribution + "-*.dist-info"))
            {
                Link(info);
            }
        }

        void Link(string source)
        {
            string target = Path.Combine(SitePackages, Path.GetFileName(source));
            if (Directory.Exists(source))
            {
                Directory.CreateSymbolicLink(target, source);
            }
            else
            {
                File.CreateSymbolicLink(target, source);
            }
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in a minute.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout.Result}{stderr}");
        }
    }
}
