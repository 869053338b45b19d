using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using PyChecks.Interop;

namespace PyChecks;

/// <summary>Conversions from Python objects to .NET values.</summary>
public sealed unsafe partial class PyObject
{
    /// <summary>
    /// Converts to a .NET value: <c>None</c> → <see langword="null"/>; <c>str</c> → <see cref="string"/>;
    /// <c>bool</c> → <see cref="bool"/>; <c>int</c> → <see cref="long"/> (or <see cref="BigInteger"/> beyond
    /// 64 bits); <c>float</c> → <see cref="double"/>; <c>bytes</c> → <see cref="byte"/>[]; <c>list</c> →
    /// <see cref="List{T}"/>; <c>tuple</c> → <see cref="object"/>[]; <c>dict</c> → <see cref="Dictionary{TKey, TValue}"/>.
    /// Subclasses convert as their base type.
    /// </summary>
    /// <exception cref="InvalidCastException">The object (or an item in it) has no .NET equivalent.</exception>
    public object? ToClr()
    {
        ThreadGil.EnsureHeld();
        return ToClr(Handle, depth: 0);
    }

    /// <summary>
    /// Converts to <typeparamref name="T"/>: <see cref="string"/>, <see cref="long"/>, <see cref="int"/>,
    /// <see cref="double"/>, <see cref="bool"/> (strict: only <c>True</c>/<c>False</c>), <see cref="object"/>
    /// (as <see cref="ToClr()"/>), or <see cref="PyObject"/> (a new reference).
    /// </summary>
    /// <exception cref="PythonException">The Python value is not of the requested kind (<c>TypeError</c>) or does not fit (<c>OverflowError</c>).</exception>
    public T As<T>()
    {
        ThreadGil.EnsureHeld();
        nint h = Handle;
        if (typeof(T) == typeof(string))
        {
            return (T)(object)ReadString(h);
        }

        if (typeof(T) == typeof(long))
        {
            long l = ReadInt64(h);
            return Unsafe.As<long, T>(ref l);
        }

        if (typeof(T) == typeof(int))
        {
            long l = ReadInt64(h);
            int i = l is >= int.MinValue and <= int.MaxValue ? (int)l : throw new PythonException("OverflowError", $"{l} does not fit in a 32-bit integer", string.Empty);
            return Unsafe.As<int, T>(ref i);
        }

        if (typeof(T) == typeof(double))
        {
            double d = ReadDouble(h);
            return Unsafe.As<double, T>(ref d);
        }

        if (typeof(T) == typeof(bool))
        {
            bool b = h == CPython.True || (h == CPython.False ? false : throw new PythonException("TypeError", $"expected bool, got {TypeName}", string.Empty));
            return Unsafe.As<bool, T>(ref b);
        }

        if (typeof(T) == typeof(PyObject))
        {
            return (T)(object)Borrow(h);
        }

        if (typeof(T) == typeof(object))
        {
            return (T)ToClr(h, depth: 0)!;
        }

        throw new NotSupportedException($"PyObject.As<{typeof(T).Name}>() is not supported; use string, long, int, double, bool, object or PyObject.");
    }

    /// <summary>Reads a Python <c>str</c> into a .NET string; throws <see cref="PythonException"/> (<c>TypeError</c>) for other types.</summary>
    internal static unsafe string ReadString(nint obj)
    {
        nint size;
        byte* utf8 = CPython.PyUnicode_AsUTF8AndSize(obj, &size);
        if (utf8 != null)
        {
            return size == 0 ? string.Empty : System.Text.Encoding.UTF8.GetString(utf8, checked((int)size));
        }

        // Lone surrogates cannot be UTF-8: go through UTF-16 with 'surrogatepass' so nothing is lost.
        if (CPython.PyErr_ExceptionMatches(CPython.ExcTypeError) != 0)
        {
            throw PythonException.FetchCurrent();
        }

        CPython.PyErr_Clear();
        nint bytes;
        fixed (byte* encoding = "utf-16-le"u8)
        fixed (byte* errors = "surrogatepass"u8)
        {
            bytes = CPython.PyUnicode_AsEncodedString(obj, encoding, errors);
        }

        if (bytes == 0)
        {
            throw PythonException.FetchCurrent();
        }

        try
        {
            byte* data;
            nint length;
            if (CPython.PyBytes_AsStringAndSize(bytes, &data, &length) != 0)
            {
                throw PythonException.FetchCurrent();
            }

            return new string((char*)data, 0, checked((int)(length / 2)));
        }
        finally
        {
            CPython.Py_DecRef(bytes);
        }
    }

    /// <summary>Like <see cref="ReadString"/> but returns <see langword="null"/> (clearing the error) instead of throwing.</summary>
    internal static string? TryReadString(nint obj)
    {
        try
        {
            return ReadString(obj);
        }
        catch (PythonException)
        {
            return null;
        }
    }

    private static long ReadInt64(nint obj)
    {
        if (obj == CPython.True || obj == CPython.False || !IsInstance(obj, CPython.LongType))
        {
            throw new PythonException("TypeError", $"expected int, got {TypeNameOf(obj)}", string.Empty);
        }

        long value = CPython.PyLong_AsLongLong(obj);
        if (value == -1 && CPython.PyErr_Occurred() != 0)
        {
            throw PythonException.FetchCurrent();
        }

        return value;
    }

    private static double ReadDouble(nint obj)
    {
        if (obj == CPython.True || obj == CPython.False || !(IsInstance(obj, CPython.FloatType) || IsInstance(obj, CPython.LongType)))
        {
            throw new PythonException("TypeError", $"expected float, got {TypeNameOf(obj)}", string.Empty);
        }

        double value = CPython.PyFloat_AsDouble(obj);
        if (value == -1.0 && CPython.PyErr_Occurred() != 0)
        {
            throw PythonException.FetchCurrent();
        }

        return value;
    }

    private static bool IsInstance(nint obj, nint type)
    {
        nint exact = CPython.PyObject_Type(obj);
        CPython.Py_DecRef(exact);
        if (exact == type)
        {
            return true;
        }

        int result = CPython.PyObject_IsInstance(obj, type);
        if (result < 0)
        {
            CPython.PyErr_Clear();
        }

        return result > 0;
    }

    private static string TypeNameOf(nint obj)
    {
        nint type = CPython.PyObject_Type(obj);
        try
        {
            return PythonExceptionTypeName(type);
        }
        finally
        {
            CPython.Py_DecRef(type);
        }

        static unsafe string PythonExceptionTypeName(nint type)
        {
            nint name;
            fixed (byte* n = "__name__"u8)
            {
                name = CPython.PyObject_GetAttrString(type, n);
            }

            if (name == 0)
            {
                CPython.PyErr_Clear();
                return "<unknown type>";
            }

            try
            {
                return TryReadString(name) ?? "<unknown type>";
            }
            finally
            {
                CPython.Py_DecRef(name);
            }
        }
    }

    private static object? ToClr(nint obj, int depth)
    {
        if (depth > ConversionLimits.MaxDepth)
        {
            throw new InvalidCastException($"The Python value is nested more than {ConversionLimits.MaxDepth} levels deep (or contains itself).");
        }

        if (obj == CPython.None)
        {
            return null;
        }

        if (obj == CPython.True)
        {
            return true;
        }

        if (obj == CPython.False)
        {
            return false;
        }

        nint type = CPython.PyObject_Type(obj);
        CPython.Py_DecRef(type); // type objects outlive their instances
        if (type == CPython.UnicodeType || IsSubtype(obj, CPython.UnicodeType, type))
        {
            return ReadString(obj);
        }

        if (type == CPython.LongType || IsSubtype(obj, CPython.LongType, type))
        {
            long value = CPython.PyLong_AsLongLong(obj);
            if (value != -1 || CPython.PyErr_Occurred() == 0)
            {
                return value;
            }

            // OverflowError: go through the hexadecimal text ('-0x…'), which, unlike the decimal one, has no digit
            // limit (CPython 3.11+, 3.10.7+ and 3.9.14+ refuse str() of an int beyond 4300 digits).
            CPython.PyErr_Clear();
            nint text = CPython.PyNumber_ToBase(obj, 16);
            if (text == 0)
            {
                throw PythonException.FetchCurrent();
            }

            try
            {
                string hex = ReadString(text);
                bool negative = hex.StartsWith('-');
                var magnitude = BigInteger.Parse("0" + hex[(negative ? 3 : 2)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                return negative ? -magnitude : magnitude;
            }
            finally
            {
                CPython.Py_DecRef(text);
            }
        }

        if (type == CPython.FloatType || IsSubtype(obj, CPython.FloatType, type))
        {
            return CPython.PyFloat_AsDouble(obj);
        }

        if (type == CPython.ListType || IsSubtype(obj, CPython.ListType, type))
        {
            nint count = CPython.PyList_Size(obj);
            var list = new List<object?>((int)count);
            for (nint i = 0; i < count; i++)
            {
                list.Add(ToClr(CPython.PyList_GetItem(obj, i), depth + 1));
            }

            return list;
        }

        if (type == CPython.TupleType || IsSubtype(obj, CPython.TupleType, type))
        {
            nint count = CPython.PyTuple_Size(obj);
            object?[] array = new object?[count];
            for (nint i = 0; i < count; i++)
            {
                array[i] = ToClr(CPython.PyTuple_GetItem(obj, i), depth + 1);
            }

            return array;
        }

        if (type == CPython.DictType || IsSubtype(obj, CPython.DictType, type))
        {
            return ReadDict(obj, depth);
        }

        if (type == CPython.BytesType || IsSubtype(obj, CPython.BytesType, type))
        {
            return ReadBytes(obj);
        }

        throw new InvalidCastException($"A Python '{TypeNameOf(obj)}' has no .NET equivalent; convert it in Python first (str(), int(), list(), dict()).");
    }

    private static bool IsSubtype(nint obj, nint baseType, nint exactType)
    {
        if (exactType == CPython.UnicodeType || exactType == CPython.LongType || exactType == CPython.FloatType
            || exactType == CPython.ListType || exactType == CPython.TupleType || exactType == CPython.DictType || exactType == CPython.BytesType)
        {
            return false; // an exact built-in type is not a subclass of another built-in
        }

        int result = CPython.PyObject_IsInstance(obj, baseType);
        if (result < 0)
        {
            CPython.PyErr_Clear();
        }

        return result > 0;
    }

    private static unsafe Dictionary<object, object?> ReadDict(nint obj, int depth)
    {
        var dict = new Dictionary<object, object?>((int)CPython.PyDict_Size(obj));
        nint position = 0, key, value;
        while (CPython.PyDict_Next(obj, &position, &key, &value) != 0)
        {
            object clrKey = ToClr(key, depth + 1) ?? throw new InvalidCastException("A dict key is None, which a .NET dictionary cannot hold.");
            if (clrKey is object?[] or List<object?> or Dictionary<object, object?>)
            {
                throw new InvalidCastException("A dict key is a tuple, which has no hashable .NET equivalent.");
            }

            if (!dict.TryAdd(clrKey, ToClr(value, depth + 1)))
            {
                // Python keys that differ but are equal in .NET (two NaN floats): keeping one value would drop the other silently.
                throw new InvalidCastException($"Two keys of the dict are the same .NET value ({FormattableString.Invariant($"{clrKey}")}), so a .NET dictionary cannot hold both.");
            }
        }

        return dict;
    }

    private static unsafe byte[] ReadBytes(nint obj)
    {
        byte* data;
        nint length;
        if (CPython.PyBytes_AsStringAndSize(obj, &data, &length) != 0)
        {
            throw PythonException.FetchCurrent();
        }

        return new ReadOnlySpan<byte>(data, checked((int)length)).ToArray();
    }
}
