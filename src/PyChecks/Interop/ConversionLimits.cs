namespace PyChecks.Interop;

/// <summary>Limits of the conversions between Python and .NET values (<see cref="PyObject"/>), both ways.</summary>
internal static class ConversionLimits
{
    /// <summary>
    /// How deep a value may nest; deeper is refused instead of overflowing the stack, which is how a structure that
    /// contains itself ends. As deep as a check's configuration may nest, so that any configuration converts.
    /// </summary>
    public const int MaxDepth = 200;
}
