using PyChecks.Interop;

namespace PyChecks;

/// <summary>A Python exception raised by code PyChecks called, with its Python type, message and traceback.</summary>
public sealed unsafe class PythonException : Exception
{
    /// <summary>Creates an exception from its Python parts.</summary>
    /// <param name="pythonType">The exception's type name, qualified by its module unless built in (<c>ValueError</c>, <c>json.decoder.JSONDecodeError</c>).</param>
    /// <param name="pythonMessage"><c>str()</c> of the exception.</param>
    /// <param name="pythonTraceback">The formatted traceback, as <c>traceback.format_exception</c> gives it; empty if none.</param>
    internal PythonException(string pythonType, string pythonMessage, string pythonTraceback)
        : base(pythonMessage.Length > 0 ? $"{pythonType}: {pythonMessage}" : pythonType)
    {
        PythonType = pythonType;
        PythonMessage = pythonMessage;
        PythonTraceback = pythonTraceback;
    }

    /// <summary>The exception's type name, qualified by its module unless built in.</summary>
    public string PythonType { get; }

    /// <summary><c>str()</c> of the exception.</summary>
    public string PythonMessage { get; }

    /// <summary>The formatted Python traceback (<c>Traceback (most recent call last): …</c>).</summary>
    public string PythonTraceback { get; }

    /// <inheritdoc />
    public override string ToString() => PythonTraceback.Length > 0 ? $"{base.ToString()}{Environment.NewLine}--- Python traceback ---{Environment.NewLine}{PythonTraceback}" : base.ToString();

    /// <summary>Takes the current Python error (clearing it) and turns it into an exception. Call with the GIL held.</summary>
    internal static unsafe PythonException FetchCurrent()
    {
        nint type, value, traceback;
        CPython.PyErr_Fetch(&type, &value, &traceback);
        if (type == 0)
        {
            return new PythonException("SystemError", "a Python call failed without setting an exception", string.Empty);
        }

        CPython.PyErr_NormalizeException(&type, &value, &traceback);
        try
        {
            return new PythonException(TypeName(type), SafeStr(value), FormatTraceback(type, value, traceback));
        }
        finally
        {
            CPython.Py_DecRef(type);
            if (value != 0)
            {
                CPython.Py_DecRef(value);
            }

            if (traceback != 0)
            {
                CPython.Py_DecRef(traceback);
            }
        }
    }

    /// <summary>Throws the current Python error.</summary>
    internal static Exception ThrowCurrent() => throw FetchCurrent();

    private static unsafe string TypeName(nint type)
    {
        string name = GetStringAttribute(type, "__qualname__"u8) ?? GetStringAttribute(type, "__name__"u8) ?? "<unknown exception type>";
        string? module = GetStringAttribute(type, "__module__"u8);
        return module is null or "builtins" or "__main__" ? name : $"{module}.{name}";
    }

    private static unsafe string? GetStringAttribute(nint obj, ReadOnlySpan<byte> name)
    {
        nint attr;
        fixed (byte* n = name)
        {
            attr = CPython.PyObject_GetAttrString(obj, n);
        }

        if (attr == 0)
        {
            CPython.PyErr_Clear();
            return null;
        }

        try
        {
            return PyObject.TryReadString(attr);
        }
        finally
        {
            CPython.Py_DecRef(attr);
        }
    }

    private static string SafeStr(nint value)
    {
        if (value == 0)
        {
            return string.Empty;
        }

        nint str = CPython.PyObject_Str(value);
        if (str == 0)
        {
            CPython.PyErr_Clear();
            return "<exception str() failed>";
        }

        try
        {
            return PyObject.TryReadString(str) ?? string.Empty;
        }
        finally
        {
            CPython.Py_DecRef(str);
        }
    }

    private static unsafe string FormatTraceback(nint type, nint value, nint traceback)
    {
        if (traceback == 0)
        {
            return string.Empty;
        }

        nint module;
        fixed (byte* name = "traceback"u8)
        {
            module = CPython.PyImport_ImportModule(name);
        }

        if (module == 0)
        {
            CPython.PyErr_Clear();
            return string.Empty;
        }

        nint format = 0, args = 0, lines = 0;
        try
        {
            fixed (byte* name = "format_exception"u8)
            {
                format = CPython.PyObject_GetAttrString(module, name);
            }

            if (format == 0)
            {
                CPython.PyErr_Clear();
                return string.Empty;
            }

            args = CPython.PyTuple_New(3);
            foreach (var (index, item) in new[] { (0, type), (1, value == 0 ? CPython.None : value), (2, traceback) })
            {
                CPython.Py_IncRef(item);
                CPython.PyTuple_SetItem(args, index, item);
            }

            lines = CPython.PyObject_Call(format, args, 0);
            if (lines == 0)
            {
                CPython.PyErr_Clear();
                return string.Empty;
            }

            var text = new System.Text.StringBuilder();
            nint count = CPython.PyList_Size(lines);
            for (nint i = 0; i < count; i++)
            {
                text.Append(PyObject.TryReadString(CPython.PyList_GetItem(lines, i)));
            }

            return text.ToString();
        }
        finally
        {
            foreach (nint h in new[] { lines, args, format, module })
            {
                if (h != 0)
                {
                    CPython.Py_DecRef(h);
                }
            }
        }
    }
}
