using System.Numerics;
using System.Runtime.CompilerServices;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Interop;

/// <summary>Imports, calls, conversions, errors and reference release, against every installed CPython.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class PyObjectTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Import_CExtensionModules_LoadBecauseLibpythonIsGlobal(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();
        // These are shared objects in lib-dynload that resolve libpython's symbols from the global namespace.
        using var module = PyObject.CreateModule("cext", """
            import _json, _decimal, math, _struct, json.encoder
            from decimal import Decimal
            total = str(Decimal("1.10") + Decimal("2.205"))
            c_encoder = json.encoder.c_make_encoder is not None
            root = math.sqrt(16)
            packed = _struct.pack("<i", 7)
            decimal_is_c = Decimal.__module__ == "decimal" and hasattr(_decimal, "Decimal")
            """);
        using var total = module.GetAttr("total");
        using var encoder = module.GetAttr("c_encoder");
        using var root = module.GetAttr("root");
        using var packed = module.GetAttr("packed");
        using var isC = module.GetAttr("decimal_is_c");
        Assert.Multiple(() =>
        {
            Assert.That(total.As<string>(), Is.EqualTo("3.305"));
            Assert.That(encoder.As<bool>(), Is.True);
            Assert.That(root.As<double>(), Is.EqualTo(4.0));
            Assert.That(packed.ToClr(), Is.EqualTo(new byte[] { 7, 0, 0, 0 }));
            Assert.That(isC.As<bool>(), Is.True);
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Conversions_RoundTripEveryBasicType(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();
        using var module = PyObject.CreateModule("conv", """
            def describe(v):
                return repr(v)
            def identity(v):
                return v
            """);
        using var identity = module.GetAttr("identity");
        using var describe = module.GetAttr("describe");

        object? RoundTrip(object? value)
        {
            using var py = PyObject.FromClr(value);
            using var back = identity.Call(py);
            return back.ToClr();
        }

        string Repr(object? value)
        {
            using var py = PyObject.FromClr(value);
            using var repr = describe.Call(py);
            return repr.As<string>();
        }

        var big = BigInteger.Pow(2, 100);
        Assert.Multiple(() =>
        {
            Assert.That(RoundTrip(null), Is.Null);
            Assert.That(Repr(null), Is.EqualTo("None"));
            Assert.That(RoundTrip(true), Is.EqualTo(true));
            Assert.That(Repr(false), Is.EqualTo("False"));
            Assert.That(RoundTrip(""), Is.EqualTo(""));
            Assert.That(RoundTrip("héllo ✓ 😀"), Is.EqualTo("héllo ✓ 😀"));
            Assert.That(Repr("😀"), Is.EqualTo("'😀'"), "a surrogate pair becomes one code point");
            Assert.That(RoundTrip("a\ud800b"), Is.EqualTo("a\ud800b"), "a lone surrogate survives");
            Assert.That(RoundTrip(long.MaxValue), Is.EqualTo(long.MaxValue));
            Assert.That(RoundTrip(long.MinValue), Is.EqualTo(long.MinValue));
            Assert.That(RoundTrip(42), Is.EqualTo(42L));
            Assert.That(RoundTrip(big), Is.EqualTo(big));
            Assert.That(Repr(big), Is.EqualTo("1267650600228229401496703205376"));
            Assert.That(RoundTrip(ulong.MaxValue), Is.EqualTo(new BigInteger(ulong.MaxValue)));
            Assert.That(RoundTrip(1.5), Is.EqualTo(1.5));
            Assert.That(RoundTrip(double.NaN), Is.NaN);
            Assert.That(RoundTrip(double.PositiveInfinity), Is.EqualTo(double.PositiveInfinity));
            Assert.That(double.IsNegative((double)RoundTrip(-0.0)!), Is.True);
            Assert.That(RoundTrip(new byte[] { 0, 255, 10 }), Is.EqualTo(new byte[] { 0, 255, 10 }));
            Assert.That(Repr(("a", 1L)), Is.EqualTo("('a', 1)"));
            Assert.That(RoundTrip(("a", 1L)), Is.EqualTo(new object?[] { "a", 1L }));
            Assert.That(Repr(new List<object?> { 1, "x", null }), Is.EqualTo("[1, 'x', None]"));
            var nested = new Dictionary<string, object?>
            {
                ["tags"] = new List<object?> { "env:prod", "host:a" },
                ["value"] = 1.5,
                ["inner"] = new Dictionary<string, object?> { ["ok"] = true },
            };
            var back = (Dictionary<object, object?>)RoundTrip(nested)!;
            Assert.That(back["tags"], Is.EqualTo(new List<object?> { "env:prod", "host:a" }));
            Assert.That(back["value"], Is.EqualTo(1.5));
            Assert.That(((Dictionary<object, object?>)back["inner"]!)["ok"], Is.EqualTo(true));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TypedReads_OfTheWrongKind_RaisePythonTypeErrors(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();
        using var text = PyObject.From("12");
        using var huge = PyObject.FromClr(BigInteger.Pow(2, 80));
        using var set = PyObject.CreateModule("s", "value = {1, 2}");
        using var setValue = set.GetAttr("value");
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<PythonException>(() => text.As<long>())!.PythonType, Is.EqualTo("TypeError"));
            Assert.That(Assert.Throws<PythonException>(() => text.As<bool>())!.PythonType, Is.EqualTo("TypeError"));
            Assert.That(Assert.Throws<PythonException>(() => huge.As<long>())!.PythonType, Is.EqualTo("OverflowError"));
            Assert.That(Assert.Throws<InvalidCastException>(() => setValue.ToClr())!.Message, Does.Contain("'set' has no .NET equivalent"));
            Assert.That(Assert.Throws<ArgumentException>(() => PyObject.FromClr(new object()))!.Message, Does.Contain("has no Python equivalent"));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void DictionaryKeys_ThatMergeOnTheOtherSide_AreAnError_NotASilentLoss(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();

        // 1, 1.0 and true are one key in Python.
        var merging = new Dictionary<object, object?> { [1L] = "long", [1.0] = "double", [true] = "bool" };
        var toPython = Assert.Throws<ArgumentException>(() => PyObject.FromClr(new Dictionary<string, object?> { ["nested"] = merging }))!;
        Assert.That(toPython.Message, Does.StartWith("The dictionary's key 1 (Double) is equal in Python to an earlier key of the same dictionary"));

        // Two NaN keys are two keys in Python (NaN is not equal to itself) but one in .NET.
        using var module = PyObject.CreateModule("nan_keys", "value = {float('nan'): 1, float('nan'): 2}\ncount = len(value)\n");
        using var count = module.GetAttr("count");
        Assert.That(count.As<long>(), Is.EqualTo(2));
        using var value = module.GetAttr("value");
        Assert.That(Assert.Throws<InvalidCastException>(() => value.ToClr())!.Message, Does.StartWith("Two keys of the dict are the same .NET value (NaN)"));

        // Keys that stay distinct convert both ways.
        using var distinct = PyObject.FromClr(new Dictionary<object, object?> { [1L] = "a", [2.5] = "b", ["1"] = "c" });
        Assert.That(((Dictionary<object, object?>)distinct.ToClr()!).Count, Is.EqualTo(3));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Call_WithPositionalAndKeywordArguments(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();
        using var module = PyObject.CreateModule("kw", """
            def f(a, b=2, *, c=3):
                return [a, b, c]
            """);
        using var f = module.GetAttr("f");
        using var one = PyObject.From(1L);
        using var ten = PyObject.From(10L);
        using var result = f.Call([one], [new KeyValuePair<string, PyObject>("c", ten)]);
        Assert.That(result.ToClr(), Is.EqualTo(new List<object?> { 1L, 2L, 10L }));
        Assert.That(f.HasAttr("__call__"), Is.True);
        using var name = PyObject.From("renamed");
        f.SetAttr("label", name);
        using var label = f.GetAttr("label");
        Assert.That(label.As<string>(), Is.EqualTo("renamed"));
        Assert.That(f.TypeName, Is.EqualTo("function"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonErrors_BecomePythonExceptions_WithTypeMessageAndTraceback(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();
        using var module = PyObject.CreateModule("failing", """
            class CheckError(Exception):
                pass
            def inner():
                raise ValueError("boom")
            def outer():
                inner()
            def custom():
                raise CheckError("custom failure")
            def exits():
                raise SystemExit(3)
            def interrupted():
                raise KeyboardInterrupt()
            """);
        using var outer = module.GetAttr("outer");
        var error = Assert.Throws<PythonException>(() => outer.Call())!;
        Assert.Multiple(() =>
        {
            Assert.That(error.PythonType, Is.EqualTo("ValueError"));
            Assert.That(error.PythonMessage, Is.EqualTo("boom"));
            Assert.That(error.Message, Is.EqualTo("ValueError: boom"));
            Assert.That(error.PythonTraceback, Does.StartWith("Traceback (most recent call last):"));
            Assert.That(error.PythonTraceback, Does.Contain("in outer").And.Contain("in inner").And.Contain("ValueError: boom"));
            Assert.That(error.ToString(), Does.Contain("--- Python traceback ---"));
        });

        using var custom = module.GetAttr("custom");
        Assert.That(Assert.Throws<PythonException>(() => custom.Call())!.PythonType, Is.EqualTo("failing.CheckError"));

        // Neither leaves the process: in an embedded call they are ordinary exceptions.
        using var exits = module.GetAttr("exits");
        Assert.That(Assert.Throws<PythonException>(() => exits.Call())!.PythonType, Is.EqualTo("SystemExit"));
        using var interrupted = module.GetAttr("interrupted");
        Assert.That(Assert.Throws<PythonException>(() => interrupted.Call())!.PythonType, Is.EqualTo("KeyboardInterrupt"));

        var missing = Assert.Throws<PythonException>(() => PyObject.Import("no_such_module_here"))!;
        Assert.That(missing.PythonType, Is.EqualTo("ModuleNotFoundError"));
        var syntax = Assert.Throws<PythonException>(() => PyObject.CreateModule("bad", "def (:"))!;
        Assert.That(syntax.PythonType, Is.EqualTo("SyntaxError"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ReferenceDroppedWithoutDispose_IsReleasedUnderTheGilAfterFinalization(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        PyObject make, released;
        using (runtime.AcquireGil())
        {
            using var module = PyObject.CreateModule("probe", """
                import weakref
                class Probe:
                    pass
                released = []
                _refs = []
                def make():
                    p = Probe()
                    _refs.append(weakref.ref(p, lambda r: released.append(1)))
                    return p
                """);
            make = module.GetAttr("make");
            released = module.GetAttr("released");
        }

        Orphan(runtime, make);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(PyChecks.Interop.ThreadGil.PendingReleases, Is.GreaterThan(0), "the finalizer queued the reference");
        using (runtime.AcquireGil())
        {
            // Leaving this scope drains the queue.
        }

        using (runtime.AcquireGil())
        {
            Assert.That(released.ToClr(), Is.EqualTo(new List<object?> { 1L }), "the Python object was freed");
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void Orphan(PythonRuntime runtime, PyObject make)
        {
            using var gil = runtime.AcquireGil();
            _ = make.Call(); // never disposed
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Singletons_AreCachedAndNeverReleased(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var gil = runtime.AcquireGil();
        using var module = PyObject.CreateModule("noop", "def noop():\n    return None\n");
        using var noop = module.GetAttr("noop");
        var first = noop.Call();
        first.Dispose();
        first.Dispose();
        var second = noop.Call();
        Assert.That(second, Is.SameAs(first));
        Assert.That(second.IsNone, Is.True);
        Assert.That(PyObject.From(true), Is.SameAs(PyObject.True));
        using var sys = PyObject.Import("sys");
        using var getrefcount = sys.GetAttr("getrefcount");
        using var count = getrefcount.Call(PyObject.None);
        Assert.That(count.As<long>(), Is.GreaterThan(1), "None is still alive after many disposals of its wrapper");
    });
}
