using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>Registers the built-in modules with the sink they answer from; must run before the interpreter is initialized.</summary>
internal static unsafe class BuiltinModules
{
    /// <summary>
    /// Appends every built-in module to CPython's table of built-ins, each given one <see cref="ModuleState"/> over
    /// <paramref name="sink"/>. Call once, after binding libpython and before initializing it.
    /// </summary>
    public static void Register(IBuiltinSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);

        // The modules live as long as the process, and so does their state: the handle is never freed.
        nint state = GCHandle.ToIntPtr(GCHandle.Alloc(new ModuleState(sink)));
        Append("aggregator"u8, AggregatorModule.Definition, &AggregatorModule.Init, state);
        Append("datadog_agent"u8, DatadogAgentModule.Definition, &DatadogAgentModule.Init, state);
        Append("_util"u8, SubprocessModule.Definition, &SubprocessModule.Init, state);
        Append("util"u8, UtilModule.Definition, &UtilModule.Init, state);
        Append("tagger"u8, TaggerModule.Definition, &TaggerModule.Init, state);
        Append("containers"u8, ContainersModule.Definition, &ContainersModule.Init, state);
        Append("kubeutil"u8, KubeutilModule.Definition, &KubeutilModule.Init, state);
    }

    private static void Append(ReadOnlySpan<byte> name, NativeModuleDefinition definition, delegate* unmanaged<nint> init, nint state)
    {
        definition.Attach(state);

        // The table keeps the name pointer: give it memory that lives as long as the process.
        byte* copy = TrackedAllocator.Utf8(name);
        if (CPython.PyImport_AppendInittab(copy, init) != 0)
        {
            throw new PythonRuntimeException($"Could not register the built-in module '{System.Text.Encoding.UTF8.GetString(name)}'.");
        }
    }
}
