namespace PyChecks.Interop;

/// <summary>What <see cref="FrameReader"/> checks a frame's instruction pointer against: its code object's bytecode.</summary>
/// <param name="Bytecode">The address of the first code unit.</param>
/// <param name="Units">How many code units the bytecode has.</param>
/// <param name="FirstTraceable">The first code unit of a complete frame (the ones before set the frame up).</param>
internal readonly record struct CodeLayout(nint Bytecode, long Units, int FirstTraceable);
