using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// What a built-in module's functions work with: the host's sink and the caches the modules share. Each module's
/// CPython state (one pointer, see <see cref="NativeModuleDefinition"/>) holds a GC handle to it, so a function finds it
/// from the module object it receives as <c>self</c> (a one-entry cache keyed by that object saves the lookup), never
/// through a static alone. One instance serves every built-in module
/// of the interpreter, so a name decoded by one module is a cache hit in the others.
/// </summary>
internal sealed class ModuleState(IBuiltinSink sink)
{
    private string[] _tagBuffer = new string[64];
    private bool _tagBufferRented;

    /// <summary>Where submissions go and what the host answers.</summary>
    public IBuiltinSink Sink { get; } = sink;

    /// <summary>Strings decoded from Python, cached across runs. Used only with the GIL held.</summary>
    public Utf8StringCache Strings { get; } = new();

    /// <summary>Tag lists decoded from Python, by the strings they hold, cached across runs. Used only with the GIL held.</summary>
    public TagSetCache TagSets { get; } = new();

    /// <summary>
    /// Interned names <c>aggregator._AgentCheckBase</c>'s methods compare keywords and read attributes with: the
    /// parameters of <c>gauge</c> and its siblings in order, then <c>__NAMESPACE__</c>, <c>check_id</c> and
    /// <c>_python_methods</c>. Strong references, kept for the interpreter's life; set by the module's exec slot.
    /// </summary>
    public nint[] AgentCheckNames { get; set; } = [];

    /// <summary>The loggers of <c>datadog_agent.log</c>, by category.</summary>
    public ConcurrentDictionary<string, ILogger> Loggers { get; } = new(StringComparer.Ordinal);

    /// <summary>The state of <paramref name="module"/>, a module function's <c>self</c>: a compare, or one leaf call and a handle read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ModuleState Of(nint module) => module == s_lastModule ? s_lastState! : RememberModule(module);

    /// <summary>The state of the module that defines <paramref name="definingClass"/> (a method's defining class).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ModuleState OfClass(nint definingClass) => definingClass == s_lastClass ? s_lastClassState! : RememberClass(definingClass);

    // Apart from the inlined compare: a caller that inlined a call into Python would set up a transition frame on every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe ModuleState RememberModule(nint module) =>
        Remember(ref s_lastModule, ref s_lastState, module, *(nint*)CPython.PyModule_GetState(module));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe ModuleState RememberClass(nint definingClass) =>
        Remember(ref s_lastClass, ref s_lastClassState, definingClass, *(nint*)CPython.PyType_GetModuleState(definingClass));

    // The last module (and defining class) asked for and its state. The key is held (a reference is kept), so its address
    // cannot be taken by another object while it is cached. Written and read with the GIL held.
    private static nint s_lastModule;
    private static ModuleState? s_lastState;
    private static nint s_lastClass;
    private static ModuleState? s_lastClassState;

    private static unsafe ModuleState Remember(ref nint lastKey, ref ModuleState? lastState, nint key, nint handle)
    {
        var state = (ModuleState)GCHandle.FromIntPtr(handle).Target!;
        nint previous = lastKey;
        CPython.Py_IncRef(key);
        lastKey = key;
        lastState = state;
        if (previous != 0)
        {
            CPython.Py_DecRef(previous);
        }

        return state;
    }

    /// <summary>
    /// Takes the tag buffer (or a fresh one if a re-entrant submission holds it, or it is too small). No atomics: the
    /// callers hold the GIL, so only re-entrance on the same thread can find it taken.
    /// </summary>
    public string[] RentTags(int capacity)
    {
        // A flag, not the field cleared and set again: storing a reference into the heap costs a write barrier each time.
        if (!_tagBufferRented && _tagBuffer.Length >= capacity)
        {
            _tagBufferRented = true;
            return _tagBuffer;
        }

        return new string[Math.Max(capacity, 64)];
    }

    /// <summary>Gives the buffer back, clearing the <paramref name="used"/> slots (the strings are cached anyway, but a buffer should not keep them alive).</summary>
    public void ReturnTags(string[] buffer, int used)
    {
        for (int i = 0; i < used; i++)
        {
            buffer[i] = null!; // a loop: two or three tags are cheaper cleared in place than through a call
        }

        if (ReferenceEquals(buffer, _tagBuffer))
        {
            _tagBufferRented = false;
        }
        else if (_tagBufferRented || buffer.Length > _tagBuffer.Length)
        {
            // One made while the buffer was taken (a re-entrant submission, which keeps the old one to itself; or one whose
            // exception never gave it back), or for more tags than it held: the buffer from now on.
            _tagBuffer = buffer;
            _tagBufferRented = false;
        }
    }
}
