using System.Runtime.InteropServices;

namespace PyChecks.Builtins;

/// <summary>The built-in module <c>containers</c>: <c>is_excluded(name, image, namespace)</c>, answered by the host's <see cref="IContainerFilter"/>.</summary>
internal static unsafe class ContainersModule
{
    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "containers",
        "Container exclusion rules, from the PyChecks host.",
        [
            new("is_excluded", (delegate* unmanaged<nint, nint*, nint, nint>)&IsExcluded, NativeMethod.FastCall, "is_excluded(name, image[, namespace]) -> bool"),
        ],
        &EntryPoint.ExecState);

    [UnmanagedCallersOnly]
    public static nint Init() => EntryPoint.InitModule(static () => Definition);


    [UnmanagedCallersOnly]
    private static nint IsExcluded(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("is_excluded", args, count);
            string ns = string.Empty;
            if (!a.Expect(2, 3)
                || !a.String(0, "name", state.Strings, out string name)
                || !a.String(1, "image", state.Strings, out string image)
                || (count > 2 && !a.String(2, "namespace", state.Strings, out ns)))
            {
                return 0;
            }

            return state.Sink.Services.ContainerFilter.IsExcluded(name, image, ns) ? EntryPoint.True() : EntryPoint.False();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }
}
