using System.Runtime.InteropServices;
using System.Text;
using PyChecks.Interop;

namespace PyChecks.Runtime;

/// <summary>
/// Initializes CPython the way its own <c>python</c> program starts: the Python configuration of PEP 587,
/// with the chosen interpreter as <c>argv[0]</c>. CPython's path calculation then starts from that
/// executable, so it reads a virtual environment's <c>pyvenv.cfg</c> itself: <c>sys.prefix</c> is the venv,
/// <c>sys.base_prefix</c> its base, <c>sys.executable</c> the venv's python, and <c>site</c> puts the venv's
/// site-packages on <c>sys.path</c> (the base's too only with <c>include-system-site-packages = true</c>).
/// </summary>
/// <remarks>
/// Options go through the command line CPython parses (<c>parse_argv</c>), so no field of the
/// version-dependent <c>PyConfig</c> is written, with one exception: <c>install_signal_handlers</c>, which has
/// no command-line switch and must be off (the host keeps SIGINT). It is the fifth <c>int</c> of
/// <c>PyConfig</c> in every 3.8–3.14, after <c>_config_init</c>, <c>isolated</c>, <c>use_environment</c> and
/// <c>dev_mode</c>; those four are checked against the values <c>PyConfig_InitPythonConfig</c> gives them
/// before it is written, so a CPython that moved them is refused instead of corrupted.
/// </remarks>
internal static unsafe class PythonStartup
{
    // PyConfig_InitPythonConfig's values for the fields that open PyConfig: _config_init is
    // _PyConfig_INIT_PYTHON (2); isolated 0; use_environment 1; dev_mode -1 (unset); install_signal_handlers 1.
    private static readonly int[] s_expectedPrefix = [2, 0, 1, -1, 1];
    private const int InstallSignalHandlersIndex = 4;
    private static readonly string[] s_pathVariables = ["PYTHONHOME", "PYTHONPATH"];

    /// <summary>Initializes the interpreter on the calling thread, which must be the one that finalizes it.</summary>
    /// <param name="libraryPath">The loaded library, for messages.</param>
    /// <param name="program">The python executable CPython computes its paths from; <see langword="null"/> for CPython's default.</param>
    /// <param name="isolated">Start as <c>python -I</c>: no <c>PYTHON*</c> variables, no user site-packages.</param>
    /// <exception cref="PythonRuntimeException">CPython refused the configuration or failed to start; the message is CPython's.</exception>
    public static void Initialize(string libraryPath, string? program, bool isolated)
    {
        byte* config = (byte*)NativeMemory.AllocZeroed(CPython.ConfigBufferSize);
        try
        {
            CPython.PyConfig_InitPythonConfig(config);
            try
            {
                DisableSignalHandlers((int*)config, libraryPath);
                SetArguments(config, Arguments(program, isolated), libraryPath, program);
                Check(CPython.Py_InitializeFromConfig(config), libraryPath, program, isolated);
            }
            finally
            {
                CPython.PyConfig_Clear(config);
            }
        }
        finally
        {
            NativeMemory.Free(config);
        }
    }

    /// <summary>The command line given to CPython: the program, then <c>-I</c> for an isolated start.</summary>
    internal static IReadOnlyList<string> Arguments(string? program, bool isolated)
    {
        // An empty argv[0] leaves program_name to CPython, which then looks for "python3" on PATH (see docs/configuration.md).
        var arguments = new List<string> { program ?? string.Empty };
        if (isolated)
        {
            arguments.Add("-I");
        }

        return arguments;
    }

    private static void DisableSignalHandlers(int* config, string libraryPath)
    {
        for (int i = 0; i < s_expectedPrefix.Length; i++)
        {
            if (config[i] != s_expectedPrefix[i])
            {
                string found = string.Join(", ", Enumerable.Range(0, s_expectedPrefix.Length).Select(j => config[j]));
                throw new PythonRuntimeException(
                    $"'{libraryPath}' lays out PyConfig differently from CPython 3.8–3.14: its first fields after PyConfig_InitPythonConfig are " +
                    $"({found}), not ({string.Join(", ", s_expectedPrefix)}). PyChecks cannot turn its signal handlers off safely, so it does not start it.");
            }
        }

        config[InstallSignalHandlersIndex] = 0;
    }

    private static void SetArguments(byte* config, IReadOnlyList<string> arguments, string libraryPath, string? program)
    {
        byte[][] encoded = new byte[arguments.Count][];
        var handles = new GCHandle[arguments.Count];
        byte** argv = stackalloc byte*[arguments.Count];
        try
        {
            for (int i = 0; i < arguments.Count; i++)
            {
                encoded[i] = Encoding.UTF8.GetBytes(arguments[i] + "\0");
                handles[i] = GCHandle.Alloc(encoded[i], GCHandleType.Pinned);
                argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            }

            // Also pre-initializes CPython (locale, UTF-8 mode) from the same command line, as python does.
            var status = CPython.PyConfig_SetBytesArgv(config, arguments.Count, argv);
            if (CPython.PyStatus_Exception(status) != 0)
            {
                throw new PythonRuntimeException(
                    $"CPython '{libraryPath}' refused the command line [{string.Join(", ", arguments)}]{Program(program)}: {status.Describe()}");
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }
    }

    private static void Check(PyStatus status, string libraryPath, string? program, bool isolated)
    {
        if (CPython.PyStatus_Exception(status) == 0)
        {
            return;
        }

        string what = CPython.PyStatus_IsExit(status) != 0 ? $"asked to exit with code {status.ExitCode}" : status.Describe();
        var message = new StringBuilder($"CPython '{libraryPath}' failed to start{Program(program)}: {what}.");
        string[] set = isolated ? [] : s_pathVariables.Where(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToArray();
        if (set.Length > 0)
        {
            message.Append($" {string.Join(" and ", set)} {(set.Length > 1 ? "are" : "is")} set and may point it at another Python's standard library: " +
                "unset it, or set PythonRuntimeOptions.Isolated to start Python without PYTHON* variables.");
        }
        else
        {
            message.Append(" CPython's own report of the paths it computed, if any, is on standard error.");
        }

        throw new PythonRuntimeException(message.ToString());
    }

    private static string Program(string? program) => program is null ? string.Empty : $" as {program}";
}
