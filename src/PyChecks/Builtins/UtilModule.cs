using System.Runtime.InteropServices;

namespace PyChecks.Builtins;

/// <summary>The built-in module <c>util</c> of legacy checks: <c>headers</c>, the same function as <c>datadog_agent.headers</c>.</summary>
internal static unsafe class UtilModule
{
    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "util",
        "Helpers of legacy checks.",
        [
            new("headers", (delegate* unmanaged<nint, nint, nint, nint>)&DatadogAgentModule.Headers, NativeMethod.VarArgs | NativeMethod.Keywords, "headers(agentConfig, **kwargs) -> dict"),
        ],
        &EntryPoint.ExecState);

    [UnmanagedCallersOnly]
    public static nint Init() => EntryPoint.InitModule(static () => Definition);

}
