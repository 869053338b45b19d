using System.Runtime.InteropServices;

namespace PyChecks.Interop;

/// <summary>
/// A shared library opened with <c>dlopen</c>. libpython must be opened with
/// <c>RTLD_NOW | RTLD_GLOBAL</c>: C-extension modules (<c>_json</c>, <c>_decimal</c>, …) are not linked
/// against libpython and resolve its symbols from the global namespace, which
/// <see cref="NativeLibrary.Load(string)"/> (RTLD_LOCAL) does not populate.
/// </summary>
internal sealed partial class DynamicLibrary
{
    private const int RtldLazy = 0x0001;
    private const int RtldNow = 0x0002;
    private const int RtldGlobal = 0x0100;

    private DynamicLibrary(string path, nint handle)
    {
        Path = path;
        Handle = handle;
    }

    /// <summary>The path the library was opened from.</summary>
    public string Path { get; }

    /// <summary>The handle returned by <c>dlopen</c>.</summary>
    public nint Handle { get; }

    /// <summary>Opens <paramref name="path"/> with <c>RTLD_NOW | RTLD_GLOBAL</c>.</summary>
    /// <returns>The library, or <see langword="null"/> with <paramref name="error"/> set to <c>dlerror()</c>.</returns>
    public static DynamicLibrary? TryOpenGlobal(string path, out string? error) => TryOpen(path, RtldNow | RtldGlobal, out error);

    /// <summary>Opens <paramref name="path"/> privately (<c>RTLD_LAZY</c>), to inspect it without exporting its symbols.</summary>
    public static DynamicLibrary? TryOpenLocal(string path, out string? error) => TryOpen(path, RtldLazy, out error);

    private static DynamicLibrary? TryOpen(string path, int flags, out string? error)
    {
        _ = dlerror();
        nint handle = dlopen(path, flags);
        if (handle == 0)
        {
            error = Marshal.PtrToStringUTF8(dlerror()) ?? "dlopen failed";
            return null;
        }

        error = null;
        return new DynamicLibrary(path, handle);
    }

    /// <summary>Returns the address of an exported symbol, or 0 when it is absent.</summary>
    public nint TryGetExport(string name) => NativeLibrary.TryGetExport(Handle, name, out nint address) ? address : 0;

    /// <summary>Drops this handle's reference to the library (only for libraries opened to be inspected).</summary>
    public void Close() => _ = dlclose(Handle);

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string fileName, int flags);

    [LibraryImport("libc.so.6")]
    private static partial nint dlerror();

    [LibraryImport("libc.so.6")]
    private static partial int dlclose(nint handle);
}
