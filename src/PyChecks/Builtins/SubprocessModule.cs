using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PyChecks.Interop;
using PyChecks.Telemetry;

namespace PyChecks.Builtins;

/// <summary>
/// The built-in module <c>_util</c>: <c>subprocess_output(command, raise_on_empty=False, *, env=None)</c> (also named
/// <c>get_subprocess_output</c>) returns <c>(stdout, stderr, returncode)</c>, and <c>SubprocessOutputEmptyError</c>.
/// The GIL is released while the command runs, so other checks go on.
/// </summary>
internal static unsafe partial class SubprocessModule
{
    private const string FunctionName = "get_subprocess_output";
    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "_util",
        "Runs commands for checks.",
        [
            new("subprocess_output", (delegate* unmanaged<nint, nint, nint, nint>)&SubprocessOutput, NativeMethod.VarArgs | NativeMethod.Keywords,
                "subprocess_output(command, raise_on_empty=False, *, env=None) -> (stdout, stderr, returncode)"),
            new("get_subprocess_output", (delegate* unmanaged<nint, nint, nint, nint>)&SubprocessOutput, NativeMethod.VarArgs | NativeMethod.Keywords,
                "get_subprocess_output(command, raise_on_empty=False, *, env=None) -> (stdout, stderr, returncode)"),
        ],
        &Exec);

    [UnmanagedCallersOnly]
    public static nint Init() => EntryPoint.InitModule(static () => Definition);

    [UnmanagedCallersOnly]
    private static int Exec(nint module)
    {
        try
        {
            if (!NativeModuleDefinition.SetState(module))
            {
                return -1;
            }

            nint error;
            fixed (byte* name = "_util.SubprocessOutputEmptyError"u8)
            {
                error = CPython.PyErr_NewException(name, 0, 0);
            }

            if (error == 0)
            {
                return -1;
            }

            int result;
            fixed (byte* attribute = "SubprocessOutputEmptyError"u8)
            {
                result = CPython.PyObject_SetAttrString(module, attribute, error);
            }

            CPython.Py_DecRef(error);
            return result;
        }
        catch (Exception e)
        {
            return EntryPoint.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SubprocessOutput(nint self, nint args, nint kwargs)
    {
        try
        {
            var state = ModuleState.Of(self);
            if (!ReadArguments(args, kwargs, out nint command, out nint raiseOnEmpty, out nint env)
                || !ReadCommand(command, out var argv)
                || !ReadEnvironment(env, out var environment))
            {
                return 0;
            }

            if (raiseOnEmpty != 0 && raiseOnEmpty != CPython.True && raiseOnEmpty != CPython.False)
            {
                return Fail(CPython.ExcTypeError, "bad raise_on_empty argument: should be bool");
            }

            var cancellation = CheckRunContext.Current?.ChildrenToken ?? CancellationToken.None;
            Subprocess.Result result;
            nint thread = CPython.PyEval_SaveThread(); // other checks run while the child does
            try
            {
                result = Subprocess.Run(argv, environment, cancellation);
            }
            finally
            {
                CPython.PyEval_RestoreThread(thread);
            }

            if (result.StartError is { } reason)
            {
                LogNotStarted(state.Sink.Logger, argv[0], reason);
            }

            if (raiseOnEmpty == CPython.True && result.Stdout.Length == 0)
            {
                return RaiseEmptyOutput(self);
            }

            return PyObject.NewReference((result.Stdout, result.Stderr, (long)result.ExitCode));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>Binds <c>(command, raise_on_empty=None, *, env=None)</c> with CPython's messages for a wrong call.</summary>
    private static bool ReadArguments(nint args, nint kwargs, out nint command, out nint raiseOnEmpty, out nint env)
    {
        command = raiseOnEmpty = env = 0;
        nint count = CPython.PyTuple_Size(args);
        if (count > 2)
        {
            return Arguments.Raise(CPython.ExcTypeError, $"{FunctionName}() takes at most 2 positional arguments ({count} given)");
        }

        command = count > 0 ? CPython.PyTuple_GetItem(args, 0) : 0;
        raiseOnEmpty = count > 1 ? CPython.PyTuple_GetItem(args, 1) : 0;
        if (kwargs != 0)
        {
            nint position = 0, key, value;
            while (CPython.PyDict_Next(kwargs, &position, &key, &value) != 0)
            {
                string name = Arguments.TryUtf8(key, out var utf8) ? System.Text.Encoding.UTF8.GetString(utf8) : "?";
                int position1 = name switch { "command" => 1, "raise_on_empty" => 2, "env" => 3, _ => 0 };
                if (position1 == 0)
                {
                    return Arguments.Raise(CPython.ExcTypeError, $"'{name}' is an invalid keyword argument for {FunctionName}()");
                }

                if ((position1 == 1 && command != 0) || (position1 == 2 && raiseOnEmpty != 0))
                {
                    return Arguments.Raise(CPython.ExcTypeError, $"argument for {FunctionName}() given by name ('{name}') and position ({position1})");
                }

                _ = position1 == 1 ? command = value : position1 == 2 ? raiseOnEmpty = value : env = value;
            }
        }

        return command != 0 || Arguments.Raise(CPython.ExcTypeError, $"{FunctionName}() missing required argument 'command' (pos 1)");
    }

    private static bool ReadCommand(nint command, out List<string> argv)
    {
        argv = [];
        if (CPython.PyObject_IsInstance(command, CPython.ListType) <= 0)
        {
            return Arguments.Raise(CPython.ExcTypeError, "command args is not a list");
        }

        nint size = CPython.PyList_Size(command);
        if (size == 0)
        {
            return Arguments.Raise(CPython.ExcTypeError, "invalid command: empty list");
        }

        for (nint i = 0; i < size; i++)
        {
            if (!DatadogAgentModule.TryString(CPython.PyList_GetItem(command, i), out string arg) || arg.Contains('\0', StringComparison.Ordinal))
            {
                return Arguments.Raise(CPython.ExcTypeError, "command argument must be valid strings");
            }

            argv.Add(arg);
        }

        return true;
    }

    private static bool ReadEnvironment(nint env, out List<KeyValuePair<string, string>> environment)
    {
        environment = [];
        if (env == 0 || env == CPython.None)
        {
            return true;
        }

        if (!CPython.IsDict(env))
        {
            return Arguments.Raise(CPython.ExcTypeError, "env is not a dict");
        }

        nint position = 0, key, value;
        while (CPython.PyDict_Next(env, &position, &key, &value) != 0)
        {
            if (!DatadogAgentModule.TryString(key, out string name))
            {
                return Arguments.Raise(CPython.ExcTypeError, "env key is not a string");
            }

            if (!DatadogAgentModule.TryString(value, out string text))
            {
                return Arguments.Raise(CPython.ExcTypeError, "env value is not a string");
            }

            environment.Add(new(name, text));
        }

        return true;
    }

    private static nint RaiseEmptyOutput(nint module)
    {
        nint error;
        fixed (byte* attribute = "SubprocessOutputEmptyError"u8)
        {
            error = CPython.PyObject_GetAttrString(module, attribute);
        }

        if (error == 0)
        {
            return 0;
        }

        Arguments.Raise(error, "get_subprocess_output expected output but had none.");
        CPython.Py_DecRef(error);
        return 0;
    }

    private static nint Fail(nint type, string message)
    {
        Arguments.Raise(type, message);
        return 0;
    }

    [LoggerMessage(EventId = EventIds.SubprocessNotStarted, Level = LogLevel.Warning, Message = "_util.subprocess_output could not start '{Command}': {Reason}; it returns empty output and exit code 0, as the Agent does")]
    private static partial void LogNotStarted(ILogger logger, string command, string reason);
}
