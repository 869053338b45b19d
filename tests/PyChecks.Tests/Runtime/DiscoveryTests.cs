using System.Diagnostics;
using NUnit.Framework;
using PyChecks.Interop;
using PyChecks.Runtime;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Runtime;

/// <summary>
/// Runtime discovery. Rejections run in the test process (nothing is loaded); a discovery that
/// succeeds loads a libpython, so those run in a child process per install.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class DiscoveryTests
{
    private static readonly string EmptyFolder = Directory.CreateTempSubdirectory("pychecks-empty").FullName;

    [Test]
    public void NothingFound_TheErrorListsEveryPlaceTriedAndHowToConfigureOne()
    {
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new Dictionary<string, string?> { ["PATH"] = EmptyFolder }))!;
        Assert.That(error.Candidates.Select(c => c.Source), Is.EqualTo(new[]
        {
            "option PythonRuntimeOptions.Python", "PYCHECKS_PYTHON", "PYTHONNET_PYDLL", "VIRTUAL_ENV", "python3 on PATH", "well-known path",
        }));
        Assert.That(error.Candidates.All(c => !c.Accepted), Is.True);
        Assert.That(error.Message, Does.Contain("found no usable CPython 3.9–3.14 shared library"));
        Assert.That(error.Message, Does.Contain("1. option PythonRuntimeOptions.Python: not set"));
        Assert.That(error.Message, Does.Contain("5. python3 on PATH: no python3 in any PATH folder"));
        Assert.That(error.Message, Does.Contain($"6. well-known path: none of libpython3.{{9..14}}.so.1.0 in {EmptyFolder}"));
        Assert.That(error.Message, Does.Contain("set PythonRuntimeOptions.Python (or the PYCHECKS_PYTHON environment variable)"));
        Assert.That(error.Message, Does.Contain("apt-get install libpython3.11"));
    }

    [Test]
    public void ImplicitCandidates_EachRejectedOneSaysWhy_AndTheSearchGoesOn()
    {
        string venv = Directory.CreateTempSubdirectory("pychecks-notvenv").FullName;
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new Dictionary<string, string?> { ["VIRTUAL_ENV"] = venv, ["PATH"] = EmptyFolder }))!;
        Assert.That(error.Candidates.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "option PythonRuntimeOptions.Python: not set",
            "PYCHECKS_PYTHON: not set",
            "PYTHONNET_PYDLL: not set",
            $"VIRTUAL_ENV: {venv}: has no pyvenv.cfg; is it a virtual environment?",
            "python3 on PATH: no python3 in any PATH folder",
            $"well-known path: none of libpython3.{{9..14}}.so.1.0 in {EmptyFolder}",
        }));
    }

    [Test]
    public void VirtualEnvironmentWithoutItsPython_IsRejected_ForCPythonWouldNotHonourIt()
    {
        string venv = Directory.CreateTempSubdirectory("pychecks-nopython").FullName;
        File.WriteAllText(Path.Combine(venv, "pyvenv.cfg"), "home = /usr/bin\ninclude-system-site-packages = false\n");
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new Dictionary<string, string?> { ["VIRTUAL_ENV"] = venv, ["PATH"] = EmptyFolder }))!;
        Assert.That(error.Candidates.Single(c => c.Source == "VIRTUAL_ENV").ToString(),
            Is.EqualTo($"VIRTUAL_ENV: {venv}: has no bin/python3 or bin/python; recreate it with 'python3 -m venv'"));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void MatchingInterpreter_IsTheInstallsOwnPython_AndNoneForALibraryCopiedElsewhere(PythonInstall install)
    {
        install.RequireExecutable();
        int minor = int.Parse(install.Version.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(MatchingInterpreter.Find(install.Library!, 3, minor), Is.EqualTo(install.Executable));

        string copy = Path.Combine(Directory.CreateTempSubdirectory("pychecks-copied").FullName, Path.GetFileName(install.Library!));
        File.Copy(install.Library!, copy);
        Assert.That(MatchingInterpreter.Find(copy, 3, minor), Is.Null);
        Assert.That(MatchingInterpreter.Find(Path.GetFileName(install.Library!), 3, minor), Is.Null, "a bare name has no folder to look in");
    }

    [Test]
    public void ExplicitPython_ThatCannotBeUsed_EndsTheSearch_NamingItWhyAndHowToFix()
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-bad").FullName;
        string notElf = Path.Combine(folder, "libpython3.11.so.1.0");
        File.WriteAllText(notElf, "not a library");
        string missing = Path.Combine(folder, "missing.so");

        // The machine's own Python would be found on PATH; a named one that is unusable must not be replaced by it.
        string realPath = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin";

        var byOption = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = realPath }, option: folder))!;
        Assert.That(byOption.Candidates.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            $"option PythonRuntimeOptions.Python: {folder}: is a directory; give a libpython3.X.so file or a python executable",
        }));
        Assert.That(byOption.Message, Is.EqualTo(
            $"PyChecks was told to use the Python at {folder} (option PythonRuntimeOptions.Python), but it is a directory; give a libpython3.X.so file or a python executable. " +
            "Fix PythonRuntimeOptions.Python, or leave it unset to let PyChecks search the active virtual environment, python3 on PATH and the system library folders. " +
            "It must name a CPython 3.9–3.14 shared library (libpython3.X.so) or a python3 executable built with --enable-shared."));

        var byVariable = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PYCHECKS_PYTHON"] = missing, ["PATH"] = realPath }))!;
        Assert.That(byVariable.Candidates.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "option PythonRuntimeOptions.Python: not set",
            $"PYCHECKS_PYTHON: {missing}: does not exist",
        }));
        Assert.That(byVariable.Message, Does.StartWith($"PyChecks was told to use the Python at {missing} (PYCHECKS_PYTHON), but it does not exist. Fix the PYCHECKS_PYTHON environment variable, or unset it"));

        var byPythonnet = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PYTHONNET_PYDLL"] = notElf, ["PATH"] = realPath }))!;
        Assert.That(byPythonnet.Candidates[^1].ToString(), Is.EqualTo($"PYTHONNET_PYDLL: {notElf}: is not an ELF shared library"));
        Assert.That(byPythonnet.Message, Does.Contain("but it is not an ELF shared library. Fix the PYTHONNET_PYDLL environment variable, or unset it"));
    }

    [Test]
    public void ExplicitPython_TheFirstSetOneDecides_EvenWhenALaterOneWouldWork()
    {
        string missing = Path.Combine(EmptyFolder, "libpython3.11.so.1.0");
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(
            new() { ["PYCHECKS_PYTHON"] = missing, ["PYTHONNET_PYDLL"] = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", ["PATH"] = EmptyFolder }))!;
        Assert.That(error.Candidates.Select(c => c.Source), Is.EqualTo(new[] { "option PythonRuntimeOptions.Python", "PYCHECKS_PYTHON" }));
    }

    [Test]
    public void LibraryForAnotherArchitecture_IsRejectedBeforeLoading()
    {
        string library = Path.Combine(Directory.CreateTempSubdirectory("pychecks-arm").FullName, "libpython3.12.so.1.0");
        File.WriteAllBytes(library, ElfHeader(machine: 183)); // aarch64
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = EmptyFolder }, option: library))!;
        Assert.That(error.Candidates[0].Reason, Does.Contain("built for another architecture (ELF machine 183").And.Contain("this process is x86-64"));
    }

    [Test]
    public void FreeThreadedBuild_IsRejected()
    {
        string library = Path.Combine(Directory.CreateTempSubdirectory("pychecks-ft").FullName, "libpython3.13t.so.1.0");
        File.WriteAllBytes(library, ElfHeader(machine: 62));
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = EmptyFolder }, option: library))!;
        Assert.That(error.Candidates[0].Reason, Is.EqualTo("is a free-threaded build of Python 3.13, which PyChecks does not support"));
    }

    [Test]
    public void PythonTooOld_IsRejected_ByLibraryAndByExecutable()
    {
        string? prefix = Directory.Exists("/root/.pyenv/versions") ? Directory.GetDirectories("/root/.pyenv/versions", "3.8.*").FirstOrDefault() : null;
        if (prefix is null)
        {
            Assert.Ignore("CPython 3.8 is not installed on this machine (looked for /root/.pyenv/versions/3.8.*).");
        }

        var byLibrary = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = EmptyFolder }, option: Path.Combine(prefix!, "lib", "libpython3.8.so.1.0")))!;
        Assert.That(byLibrary.Candidates[0].Reason, Is.EqualTo("is Python 3.8, which is too old (3.9–3.14 supported)"));

        var byExecutable = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = EmptyFolder }, option: Path.Combine(prefix!, "bin", "python3.8")))!;
        Assert.That(byExecutable.Candidates[0].Source, Does.StartWith("option PythonRuntimeOptions.Python (").And.Contain("python3.8"));
        Assert.That(byExecutable.Candidates[0].Reason, Does.Contain("too old"));
    }

    [Test]
    public void ExecutableWithoutASharedLibrary_IsRejectedWithTheReason()
    {
        // A python3 on PATH that answers the sysconfig query like a static build (no libpython file where it says).
        string bin = Directory.CreateTempSubdirectory("pychecks-static").FullName;
        string python = Path.Combine(bin, "python3");
        File.WriteAllText(python, "#!/bin/sh\nprintf 'cpython\\n3.12\\n/nonexistent/lib\\nlibpython3.12.a\\n\\n\\n0\\n/nonexistent/bin/python3.12\\nFalse\\n'\n");
        File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = bin }))!;
        var candidate = error.Candidates.Single(c => c.Source == "python3 on PATH");
        Assert.That(candidate.Path, Is.EqualTo(python));
        Assert.That(candidate.Reason, Does.StartWith("is Python 3.12 but has no shared library (looked for /nonexistent/lib/libpython3.12.so.1.0"));
        Assert.That(candidate.Reason, Does.EndWith("it was built without --enable-shared, or the libpython package is not installed"));
    }

    [Test]
    public void ExecutableThatIsNotPython_IsRejected()
    {
        var error = Assert.Throws<PythonRuntimeException>(() => Locate(new() { ["PATH"] = EmptyFolder }, option: "/bin/false"))!;
        Assert.That(error.Candidates[0].Reason, Does.StartWith("could not be asked for its library: exit code 1"));
    }

    [Test]
    public void LibraryMissingACApiFunction_TheErrorNamesTheSymbol()
    {
        var zlib = DynamicLibrary.TryOpenLocal("libz.so.1", out string? error) ?? throw new AssertionException($"libz.so.1 did not load: {error}");
        try
        {
            var missing = Assert.Throws<PythonRuntimeException>(() => CPython.Bind(zlib))!;
            Assert.That(missing.Message, Is.EqualTo("'libz.so.1' does not export 'Py_InitializeFromConfig', which PyChecks needs. Is it a CPython 3.9–3.13 shared library (not PyPy, not a free-threaded build)?"));
        }
        finally
        {
            zlib.Close();
        }
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PyChecksPythonVariable_NamingAnExecutable_LoadsTheLibraryItsSysconfigNames(PythonInstall install) => Isolated.Run(install.RequireExecutable(), static () =>
    {
        using var runtime = PythonRuntime.Initialize();
        Assert.That(runtime.Location.Source, Is.EqualTo($"PYCHECKS_PYTHON ({ChildPython.Executable})"));
        Assert.That(Path.GetFullPath(runtime.Location.LibraryPath), Is.EqualTo(ChildPython.Library));
        Assert.That(runtime.Location.Candidates.Select(c => c.Accepted), Is.EqualTo(new[] { false, true }));
    }, new Dictionary<string, string?> { ["PYCHECKS_PYTHON"] = install.Executable, ["PYTHONNET_PYDLL"] = null });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonnetVariable_NamingALibrary_IsUsedWhenPyChecksPythonIsUnset(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = PythonRuntime.Initialize();
        Assert.That(runtime.Location.Source, Is.EqualTo("PYTHONNET_PYDLL"));
        Assert.That(runtime.Version.LibraryPath, Is.EqualTo(ChildPython.Library));
    }, new Dictionary<string, string?> { ["PYCHECKS_PYTHON"] = null, ["PYTHONNET_PYDLL"] = install.Library });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void VirtualEnvironment_ItsBaseLibraryIsLoaded_AndItsSitePackagesImport(PythonInstall install)
    {
        install.RequireExecutable();
        string venv = Path.Combine(Directory.CreateTempSubdirectory("pychecks-venv").FullName, "env");
        var create = Process.Start(new ProcessStartInfo(install.Executable!, ["-m", "venv", "--without-pip", venv]) { RedirectStandardError = true })!;
        create.WaitForExit();
        if (create.ExitCode != 0)
        {
            Assert.Ignore($"{install.Executable} cannot create a virtual environment here (exit {create.ExitCode}): {create.StandardError.ReadToEnd()}");
        }

        string sitePackages = Path.Combine(venv, "lib", $"python{install.Version}", "site-packages");
        File.WriteAllText(Path.Combine(sitePackages, "venv_only_module.py"), "WHERE = 'venv'\n");
        Isolated.Run(install, static () =>
        {
            using var runtime = PythonRuntime.Initialize();
            Assert.That(runtime.Location.Source, Does.StartWith("VIRTUAL_ENV ("));
            Assert.That(runtime.Version.LibraryPath, Is.EqualTo(ChildPython.Library));
            using var gil = runtime.AcquireGil();
            using var module = PyObject.Import("venv_only_module");
            using var where = module.GetAttr("WHERE");
            Assert.That(where.As<string>(), Is.EqualTo("venv"));
        }, new Dictionary<string, string?> { ["PYCHECKS_PYTHON"] = null, ["PYTHONNET_PYDLL"] = null, ["VIRTUAL_ENV"] = venv });
    }

    private static (DynamicLibrary, PythonLocation) Locate(Dictionary<string, string?> variables, string? option = null)
    {
        var environment = new DiscoveryEnvironment(name => variables.GetValueOrDefault(name), [EmptyFolder]);
        return new PythonLocator(new PythonRuntimeOptions { Python = option }, environment).Locate();
    }

    private static byte[] ElfHeader(ushort machine)
    {
        byte[] header = new byte[64];
        header[0] = 0x7F;
        header[1] = (byte)'E';
        header[2] = (byte)'L';
        header[3] = (byte)'F';
        header[4] = 2; // 64-bit
        header[5] = 1; // little-endian
        header[16] = 3; // ET_DYN
        header[18] = (byte)machine;
        header[19] = (byte)(machine >> 8);
        return header;
    }
}
