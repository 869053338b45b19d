using System.Text;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// Reads the positional arguments of a built-in function (<c>METH_FASTCALL</c>) with CPython's checks
/// and messages. Every reader returns <see langword="false"/> with a Python exception set on bad input;
/// the caller then returns NULL to raise it in the check.
/// </summary>
internal readonly unsafe ref struct Arguments(string function, nint* args, nint count)
{
    public string Function => function;

    public nint Count => count;

    public nint this[int index] => args[index];

    /// <summary>Checks the number of arguments.</summary>
    public bool Expect(int min, int max)
    {
        if (count >= min && count <= max)
        {
            return true;
        }

        string expected = min == max ? $"exactly {min}" : $"from {min} to {max}";
        return Raise(CPython.ExcTypeError, $"{function}() takes {expected} positional arguments ({count} given)");
    }

    /// <summary>Reads a <c>str</c> argument through <paramref name="cache"/>.</summary>
    public bool String(int index, string name, Utf8StringCache cache, out string value) =>
        cache.TryGet(args[index], out value) || SlowString(args[index], index, name, out value);

    /// <summary>Reads a <c>str</c> that may be <c>None</c> (read as empty), through <paramref name="cache"/>.</summary>
    public bool OptionalString(int index, string name, Utf8StringCache cache, out string value)
    {
        if (args[index] == CPython.None)
        {
            value = string.Empty;
            return true;
        }

        return String(index, name, cache, out value);
    }

    /// <summary>
    /// Reads a <c>str</c> argument that must have a UTF-8 form: one with lone surrogates raises
    /// <c>UnicodeEncodeError</c> (for values that are stored as UTF-8, where they could not survive).
    /// </summary>
    public bool Utf8String(int index, string name, Utf8StringCache cache, out string value)
    {
        if (cache.TryGet(args[index], out value))
        {
            return true;
        }

        if (CPython.IsStr(args[index]))
        {
            nint size;
            _ = CPython.PyUnicode_AsUTF8AndSize(args[index], &size); // sets the UnicodeEncodeError
            return false;
        }

        return ArgumentTypeError(index, name, "str");
    }

    /// <summary>A <c>str</c> with no UTF-8 form (lone surrogates) is read through UTF-16; anything else is a TypeError.</summary>
    private bool SlowString(nint obj, int index, string name, out string value)
    {
        value = string.Empty;
        if (!CPython.IsStr(obj))
        {
            return ArgumentTypeError(index, name, "str");
        }

        try
        {
            value = PyObject.ReadString(obj);
            return true;
        }
        catch (PythonException e)
        {
            return Raise(CPython.ExcValueError, $"{function}() argument {index + 1} ({name}) cannot be read: {e.Message}");
        }
    }

    /// <summary>
    /// Reads a <c>str</c> (or subclass) that has no UTF-8 form, keeping its lone surrogates. False, with no error
    /// set, when <paramref name="obj"/> is not a <c>str</c> or cannot be read.
    /// </summary>
    public static bool TryReadSurrogates(nint obj, out string value)
    {
        string? text = CPython.IsStr(obj) ? PyObject.TryReadString(obj) : null;
        value = text ?? string.Empty;
        return text is not null;
    }

    /// <summary>Reads an <c>int</c> argument (bool included, as CPython's <c>"i"</c> format does).</summary>
    public bool Int64(int index, string name, out long value)
    {
        nint arg = args[index];
        int small = CPython.SmallIntValue(arg);
        if (small >= 0)
        {
            value = small;
            return true;
        }

        if (CPython.IsInt(arg))
        {
            value = CPython.PyLong_AsLongLong(arg);
            return value != -1 || CPython.PyErr_Occurred() == 0; // else OverflowError, as set by CPython
        }

        // Only __index__ makes an integer, on every Python version (3.9's PyLong_AsLongLong also took __int__,
        // so a float subclass or a Decimal was truncated there and refused elsewhere).
        nint integer = CPython.PyNumber_Index(arg);
        if (integer == 0)
        {
            value = 0;
            if (CPython.PyErr_ExceptionMatches(CPython.ExcTypeError) != 0)
            {
                CPython.PyErr_Clear();
                return ArgumentTypeError(index, name, "int");
            }

            return false; // what __index__ raised
        }

        value = CPython.PyLong_AsLongLong(integer);
        CPython.Py_DecRef(integer);
        return value != -1 || CPython.PyErr_Occurred() == 0;
    }

    /// <summary>Reads a real number (<c>float</c>, <c>int</c>, or anything with <c>__float__</c>).</summary>
    public bool Double(int index, string name, out double value)
    {
        if (CPython.IsExactType(args[index], CPython.FloatType))
        {
            value = CPython.NoGCTransition.PyFloat_AsDouble(args[index]);
            return true;
        }

        value = CPython.PyFloat_AsDouble(args[index]);
        if (value == -1.0 && CPython.PyErr_Occurred() != 0)
        {
            if (CPython.PyErr_ExceptionMatches(CPython.ExcTypeError) != 0)
            {
                CPython.PyErr_Clear();
                return ArgumentTypeError(index, name, "a real number");
            }

            return false;
        }

        return true;
    }

    /// <summary>Reads a truth value (<c>bool(x)</c>).</summary>
    public bool Boolean(int index, out bool value)
    {
        if (args[index] == CPython.True || args[index] == CPython.False)
        {
            value = args[index] == CPython.True;
            return true;
        }

        int truth = CPython.PyObject_IsTrue(args[index]);
        value = truth > 0;
        return truth >= 0;
    }

    /// <summary>Raises <c>TypeError: f() argument N (name) must be X, not Y</c>.</summary>
    public bool ArgumentTypeError(int index, string name, string expected) =>
        Raise(CPython.ExcTypeError, $"{function}() argument {index + 1} ({name}) must be {expected}, not {TypeName(args[index])}");

    /// <summary>Sets a Python exception and returns <see langword="false"/>.</summary>
    public static bool Raise(nint type, string message)
    {
        using var text = new Utf8Z(message);
        CPython.PyErr_SetString(type, text.Pointer);
        return false;
    }

    /// <summary>The UTF-8 bytes of a <c>str</c> (cached inside the object by CPython); false, with no error set, for other types.</summary>
    public static bool TryUtf8(nint obj, out ReadOnlySpan<byte> utf8)
    {
        nint size;
        byte* data = CPython.PyUnicode_AsUTF8AndSize(obj, &size);
        if (data == null)
        {
            CPython.PyErr_Clear();
            utf8 = default;
            return false;
        }

        utf8 = new ReadOnlySpan<byte>(data, checked((int)size));
        return true;
    }

    /// <summary><c>type(obj).__name__</c>, for messages.</summary>
    public static string TypeName(nint obj)
    {
        nint type = CPython.PyObject_Type(obj);
        nint name;
        fixed (byte* attribute = "__name__"u8)
        {
            name = CPython.PyObject_GetAttrString(type, attribute);
        }

        CPython.Py_DecRef(type);
        if (name == 0)
        {
            CPython.PyErr_Clear();
            return "?";
        }

        string result = TryUtf8(name, out var utf8) ? Encoding.UTF8.GetString(utf8) : "?";
        CPython.Py_DecRef(name);
        return result;
    }

    /// <summary>The bytes of an exact or derived <c>bytes</c> object, found by type without running Python code; false, with no error set, otherwise.</summary>
    public static bool TryBytes(nint item, out ReadOnlySpan<byte> bytes)
    {
        byte* data;
        nint length;
        // By type, running no Python code (a __class__ property could change the list being read).
        if (CPython.IsBytes(item))
        {
            if (CPython.PyBytes_AsStringAndSize(item, &data, &length) == 0)
            {
                bytes = new ReadOnlySpan<byte>(data, checked((int)length));
                return true;
            }

            CPython.PyErr_Clear();
        }

        bytes = default;
        return false;
    }
}
