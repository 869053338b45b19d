namespace PyChecks.Builtins;

/// <summary>A C function of a built-in module: name, entry point, calling convention flags, docstring.</summary>
internal readonly unsafe struct NativeMethod(string name, void* function, int flags, string doc)
{
    public string Name { get; } = name;

    public nint Function { get; } = (nint)function;

    public int Flags { get; } = flags;

    public string Doc { get; } = doc;

    public const int VarArgs = 0x0001;
    public const int Keywords = 0x0002;
    public const int NoArgs = 0x0004;
    public const int FastCall = 0x0080;
}
