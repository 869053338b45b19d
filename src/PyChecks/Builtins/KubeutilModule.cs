using System.Runtime.InteropServices;

namespace PyChecks.Builtins;

/// <summary>The built-in module <c>kubeutil</c>: <c>get_connection_info()</c>, answered by the host's <see cref="IKubeletConnection"/>.</summary>
internal static unsafe class KubeutilModule
{
    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "kubeutil",
        "How to reach the kubelet, from the PyChecks host.",
        [
            new("get_connection_info", (delegate* unmanaged<nint, nint, nint>)&GetConnectionInfo, NativeMethod.NoArgs, "get_connection_info() -> dict"),
        ],
        &EntryPoint.ExecState);

    [UnmanagedCallersOnly]
    public static nint Init() => EntryPoint.InitModule(static () => Definition);


    [UnmanagedCallersOnly]
    private static nint GetConnectionInfo(nint self, nint unused)
    {
        try
        {
            var state = ModuleState.Of(self);
            var info = state.Sink.Services.Kubelet.GetConnectionInfo() ?? new Dictionary<string, object?>();
            return PyObject.NewReference(new Dictionary<string, object?>(info));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }
}
