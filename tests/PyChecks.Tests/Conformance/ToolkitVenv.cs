using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// A virtual environment holding Datadog's toolkit and integrations, built as the shared folder's README says a user
/// would: Debian's <c>python3.11 -m venv --without-pip --system-site-packages</c> (its <c>python3-*</c> packages are
/// the toolkit's dependencies), pydantic 2 and the four packages it needs linked in from wherever they are on the
/// machine (only those folders, never a whole foreign <c>site-packages</c>), and a <c>.pth</c> file putting the
/// toolkit, every integration and <c>binary</c> on <c>sys.path</c>.
/// </summary>
internal sealed partial class ToolkitVenv : IDisposable
{
    /// <summary>The interpreter the venv is made from: Debian's, whose packages provide the toolkit's dependencies.</summary>
    public const string BasePython = "/usr/bin/python3.11";

    /// <summary>The shared library of <see cref="BasePython"/>, which the host embeds.</summary>
    public const string BaseLibrary = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

    /// <summary>pydantic 2 and what it imports, as top-level names in a <c>site-packages</c> folder.</summary>
    private static readonly string[] PydanticPackages = ["pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions.py"];

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

        var (pydantic, looked) = FindPydantic2();
        if (pydantic is null)
        {
            return (null, "pydantic 2 (with pydantic_core built for CPython 3.11, annotated_types, typing_inspection and typing_extensions) " +
                $"is nowhere on this machine: looked in {looked}. The integrations' config models need it; Debian's python3-pydantic is 1.x.");
        }

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

    /// <summary>
    /// The first <c>site-packages</c> (or <c>dist-packages</c>) folder holding pydantic 2 with a <c>pydantic_core</c>
    /// built for CPython 3.11 and the rest of <see cref="PydanticPackages"/>: Debian's folders first, then pyenv's 3.11 builds.
    /// </summary>
    private static (string? Folder, string Looked) FindPydantic2()
    {
        string pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } r ? r : "/root/.pyenv";
        var candidates = new List<string> { "/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages" };
        if (Directory.Exists(Path.Combine(pyenv, "versions")))
        {
            candidates.AddRange(Directory.GetDirectories(Path.Combine(pyenv, "versions"), "3.11*")
                .Order(StringComparer.Ordinal)
                .Select(v => Path.Combine(v, "lib", "python3.11", "site-packages")));
        }

        foreach (string folder in candidates)
        {
            string version = Path.Combine(folder, "pydantic", "version.py");
            bool hasAll = PydanticPackages.All(p => Path.Exists(Path.Combine(folder, p)));
            if (hasAll && File.Exists(version) && PydanticVersion().Match(File.ReadAllText(version)) is { Success: true } m && m.Groups[1].Value == "2"
                && Directory.Exists(Path.Combine(folder, "pydantic_core"))
                && Directory.EnumerateFiles(Path.Combine(folder, "pydantic_core"), "*.cpython-311-x86_64-linux-gnu.so").Any())
            {
                return (folder, string.Join(", ", candidates));
            }
        }

        return (null, string.Join(", ", candidates));
    }

    /// <summary>Links each package and its <c>.dist-info</c> (so <c>importlib.metadata</c> knows the versions) into the venv.</summary>
    private void LinkPydantic()
    {
        foreach (string package in PydanticPackages)
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

    [GeneratedRegex(@"^VERSION\s*=\s*['""](\d+)\.", RegexOptions.Multiline)]
    private static partial Regex PydanticVersion();
}
