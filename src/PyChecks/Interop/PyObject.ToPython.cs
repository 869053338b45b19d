using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using PyChecks.Interop;

namespace PyChecks;

/// <summary>Conversions from .NET values to Python objects.</summary>
public sealed unsafe partial class PyObject
{
    /// <summary>A Python <c>str</c>. Lone surrogates survive the round trip.</summary>
    public static unsafe PyObject From(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        ThreadGil.EnsureHeld();
        return Steal(NewString(value));
    }

    /// <summary>A Python <c>int</c>.</summary>
    public static PyObject From(long value)
    {
        ThreadGil.EnsureHeld();
        return Steal(CPython.PyLong_FromLongLong(value));
    }

    /// <summary>A Python <c>float</c>.</summary>
    public static PyObject From(double value)
    {
        ThreadGil.EnsureHeld();
        return Steal(CPython.PyFloat_FromDouble(value));
    }

    /// <summary>Python's <c>True</c> or <c>False</c>.</summary>
    public static PyObject From(bool value) => value ? True : False;

    /// <summary>A Python <c>tuple</c> of the given items.</summary>
    public static PyObject Tuple(params ReadOnlySpan<PyObject> items)
    {
        ThreadGil.EnsureHeld();
        return Steal(NewTuple(items));
    }

    /// <summary>
    /// Converts a .NET value to Python: <see langword="null"/> → <c>None</c>; <see cref="string"/>,
    /// <see cref="char"/> → <c>str</c>; <see cref="bool"/> → <c>bool</c>; integers and <see cref="BigInteger"/>
    /// → <c>int</c>; <see cref="double"/>, <see cref="float"/>, <see cref="decimal"/> → <c>float</c>;
    /// <see cref="byte"/>[] → <c>bytes</c>; <see cref="IDictionary"/> → <c>dict</c>; <see cref="ITuple"/> → <c>tuple</c>;
    /// other <see cref="IEnumerable"/> → <c>list</c>; a <see cref="PyObject"/> → the same object.
    /// </summary>
    /// <exception cref="ArgumentException">The value's type has no Python equivalent.</exception>
    public static PyObject FromClr(object? value)
    {
        ThreadGil.EnsureHeld();
        return Steal(ToPython(value, depth: 0));
    }

    /// <summary>Converts like <see cref="FromClr"/> to a new reference (0 with an error set on failure); for code already under the GIL, such as built-in functions.</summary>
    internal static nint NewReference(object? value) => ToPython(value, depth: 0);

    /// <summary>Creates a Python <c>str</c> (a new reference, or 0 with an error set).</summary>
    internal static unsafe nint NewString(string value)
    {
        int byteOrder = -1; // little-endian, no BOM expected
        fixed (char* chars = value)
        fixed (byte* errors = "surrogatepass"u8)
        {
            return CPython.PyUnicode_DecodeUTF16((byte*)chars, (nint)value.Length * 2, errors, &byteOrder);
        }
    }

    private static nint ToPython(object? value, int depth)
    {
        if (depth > ConversionLimits.MaxDepth)
        {
            throw new ArgumentException($"The value is nested more than {ConversionLimits.MaxDepth} levels deep (or contains itself).", nameof(value));
        }

        nint result = value switch
        {
            null => Incremented(CPython.None),
            PyObject o => Incremented(o.Handle),
            string s => NewString(s),
            char c => NewString(c.ToString()),
            bool b => Incremented(b ? CPython.True : CPython.False),
            sbyte or byte or short or ushort or int or uint or long => CPython.PyLong_FromLongLong(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            ulong or nuint or nint or BigInteger or UInt128 or Int128 => NewBigInt(value),
            double d => CPython.PyFloat_FromDouble(d),
            float f => CPython.PyFloat_FromDouble(f),
            decimal m => CPython.PyFloat_FromDouble((double)m),
            byte[] bytes => NewBytes(bytes),
            IDictionary dictionary => NewDict(dictionary, depth),
            ITuple tuple => NewTuple(tuple, depth),
            IEnumerable sequence => NewList(sequence, depth),
            _ => throw new ArgumentException($"A .NET '{value.GetType()}' has no Python equivalent.", nameof(value)),
        };
        return result != 0 ? result : throw PythonException.FetchCurrent();
    }

    private static nint Incremented(nint handle)
    {
        CPython.Py_IncRef(handle);
        return handle;
    }

    private static unsafe nint NewBigInt(object value)
    {
        // Base 16: CPython (3.11+, 3.10.7+, 3.9.14+) limits int() of decimal text to 4300 digits, not of hexadecimal text.
        var big = value switch
        {
            BigInteger b => b,
            ulong u => new BigInteger(u),
            nuint u => new BigInteger(u),
            nint i => new BigInteger(i),
            UInt128 u => (BigInteger)u,
            Int128 i => (BigInteger)i,
            _ => BigInteger.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
        };
        string hex = (big.Sign < 0 ? "-" : string.Empty) + BigInteger.Abs(big).ToString("x", CultureInfo.InvariantCulture);
        using var text = new Utf8Z(hex);
        return CPython.PyLong_FromString(text.Pointer, null, 16);
    }

    private static unsafe nint NewBytes(byte[] bytes)
    {
        fixed (byte* data = bytes)
        {
            return CPython.PyBytes_FromStringAndSize(data, bytes.Length);
        }
    }

    private static nint NewList(IEnumerable items, int depth)
    {
        nint list = CPython.PyList_New(0);
        if (list == 0)
        {
            return 0;
        }

        try
        {
            foreach (object? item in items)
            {
                nint element = ToPython(item, depth + 1);
                int appended = CPython.PyList_Append(list, element);
                CPython.Py_DecRef(element);
                if (appended != 0)
                {
                    throw PythonException.FetchCurrent();
                }
            }

            return list;
        }
        catch
        {
            CPython.Py_DecRef(list);
            throw;
        }
    }

    private static nint NewTuple(ITuple tuple, int depth)
    {
        nint result = CPython.PyTuple_New(tuple.Length);
        if (result == 0)
        {
            return 0;
        }

        try
        {
            for (int i = 0; i < tuple.Length; i++)
            {
                CPython.PyTuple_SetItem(result, i, ToPython(tuple[i], depth + 1));
            }

            return result;
        }
        catch
        {
            CPython.Py_DecRef(result);
            throw;
        }
    }

    private static nint NewDict(IDictionary dictionary, int depth)
    {
        nint dict = CPython.PyDict_New();
        if (dict == 0)
        {
            return 0;
        }

        try
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                nint key = ToPython(entry.Key, depth + 1);
                nint value;
                try
                {
                    value = ToPython(entry.Value, depth + 1);
                }
                catch
                {
                    CPython.Py_DecRef(key);
                    throw;
                }

                nint before = CPython.PyDict_Size(dict);
                int result = CPython.PyDict_SetItem(dict, key, value);
                CPython.Py_DecRef(key);
                CPython.Py_DecRef(value);
                if (result != 0)
                {
                    throw PythonException.FetchCurrent();
                }

                if (CPython.PyDict_Size(dict) == before)
                {
                    // 1, 1L, 1.0 and true are one key in Python: keeping the last value would drop the others silently.
                    throw new ArgumentException(
                        $"The dictionary's key {FormattableString.Invariant($"{entry.Key}")} ({entry.Key.GetType().Name}) is equal in Python to an earlier key of the same dictionary (1, 1.0 and true are one key there); keys must stay distinct.",
                        nameof(dictionary));
                }
            }

            return dict;
        }
        catch
        {
            CPython.Py_DecRef(dict);
            throw;
        }
    }

    private static unsafe nint NewDict(IEnumerable<KeyValuePair<string, PyObject>> items)
    {
        nint dict = CPython.PyDict_New();
        if (dict == 0)
        {
            PythonException.ThrowCurrent();
        }

        foreach (var (name, value) in items)
        {
            nint key = NewString(name);
            int result = key == 0 ? -1 : CPython.PyDict_SetItem(dict, key, (value ?? None).Handle);
            if (key != 0)
            {
                CPython.Py_DecRef(key);
            }

            if (result != 0)
            {
                CPython.Py_DecRef(dict);
                PythonException.ThrowCurrent();
            }
        }

        return dict;
    }
}
