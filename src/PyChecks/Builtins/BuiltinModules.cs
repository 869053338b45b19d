using PyChecks.Interop;
using PyChecks.Memory;

namespace PyChecks.Builtins;

/// <summary>Registers the built-in modules; must run before the interpreter is initialized.</summary>
internal static unsafe class BuiltinModules
{
    public static void Register()
    {
        Append("aggregator"u8, &AggregatorModule.Init);
        Append("datadog_agent"u8, &DatadogAgentModule.Init);
        Append("_util"u8, &SubprocessModule.Init);
        Append("util"u8, &UtilModule.Init);
        Append("tagger"u8, &TaggerModule.Init);
        Append("containers"u8, &ContainersModule.Init);
        Append("kubeutil"u8, &KubeutilModule.Init);
    }

    private static void Append(ReadOnlySpan<byte> name, delegate* unmanaged<nint> init)
    {
        // The table keeps the name pointer: give it memory that lives as long as the process.
        byte* copy = TrackedAllocator.Utf8(name);
        if (CPython.PyImport_AppendInittab(copy, init) != 0)
        {
            throw new PythonRuntimeException($"Could not register the built-in module '{System.Text.Encoding.UTF8.GetString(name)}'.");
        }
    }
}
