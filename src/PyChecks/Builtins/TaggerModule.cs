using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// The built-in module <c>tagger</c>: <c>tag(entity_id, cardinality)</c>, the deprecated <c>get_tags(entity_id,
/// high_card)</c>, and the constants <c>LOW</c>, <c>ORCHESTRATOR</c>, <c>HIGH</c>; answered by the host's <see cref="ITagger"/>.
/// </summary>
internal static unsafe class TaggerModule
{
    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "tagger",
        "The tags of entities (containers, pods), from the PyChecks host.",
        [
            new("tag", (delegate* unmanaged<nint, nint*, nint, nint>)&Tag, NativeMethod.FastCall, "tag(entity_id, cardinality) -> list of str"),
            new("get_tags", (delegate* unmanaged<nint, nint*, nint, nint>)&GetTags, NativeMethod.FastCall, "get_tags(entity_id, high_card) -> list of str (deprecated: use tag)"),
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

            return EntryPoint.AddIntConstants(module, [("LOW", (long)TagCardinality.Low), ("ORCHESTRATOR", (long)TagCardinality.Orchestrator), ("HIGH", (long)TagCardinality.High)]);
        }
        catch (Exception e)
        {
            return EntryPoint.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Tag(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("tag", args, count);
            if (!a.Expect(2, 2) || !a.String(0, "entity_id", state.Strings, out string entity) || !a.Int64(1, "cardinality", out long cardinality))
            {
                return 0;
            }

            if (cardinality is < (long)TagCardinality.Low or > (long)TagCardinality.High)
            {
                Arguments.Raise(CPython.ExcTypeError, "Invalid cardinality");
                return 0;
            }

            return PyObject.NewReference(state.Sink.Services.Tagger.Tag(entity, (TagCardinality)cardinality) ?? []);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint GetTags(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("get_tags", args, count);
            if (!a.Expect(2, 2) || !a.String(0, "entity_id", state.Strings, out string entity) || !a.Int64(1, "high_card", out long high))
            {
                return 0;
            }

            var tags = state.Sink.Services.Tagger.Tag(entity, high > 0 ? TagCardinality.High : TagCardinality.Low);
            return PyObject.NewReference(tags ?? []);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }
}
