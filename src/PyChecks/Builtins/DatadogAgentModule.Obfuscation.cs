using System.Runtime.InteropServices;
using System.Text;
using PyChecks.Interop;
using PyChecks.Obfuscation;

namespace PyChecks.Builtins;

/// <summary>
/// <c>datadog_agent</c>'s obfuscation functions, with rtloader's argument rules: <c>obfuscate_sql(query[, options])</c>,
/// <c>obfuscate_sql_exec_plan(plan, /, normalize=False)</c> (normalizing only when <c>normalize is True</c>) and
/// <c>obfuscate_mongodb_string(command)</c>. Arguments are <c>str</c> without NUL characters; a failed obfuscation raises
/// <c>RuntimeError</c> with the Agent's message.
/// </summary>
internal static unsafe partial class DatadogAgentModule
{
    private static readonly string[] s_obfuscateSqlNames = ["query", "options"];
    private static readonly string[] s_execPlanNames = ["plan", "normalize"];

    [UnmanagedCallersOnly]
    private static nint ObfuscateSql(nint self, nint* args, nint count, nint keywordNames)
    {
        try
        {
            const string function = "obfuscate_sql";
            nint* slots = stackalloc nint[2];
            string options = string.Empty;
            if (!BindArguments(function, args, count, keywordNames, s_obfuscateSqlNames, required: 1, positionalOnly: 0, slots)
                || !ReadText(function, 0, "query", slots[0], out string query)
                || (slots[1] != 0 && !ReadText(function, 1, "options", slots[1], out options)))
            {
                return 0;
            }

            return Obfuscated(() => Obfuscator.Shared.ObfuscateSql(query, options));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint ObfuscateSqlExecPlan(nint self, nint* args, nint count, nint keywordNames)
    {
        try
        {
            const string function = "obfuscate_sql_exec_plan";
            nint* slots = stackalloc nint[2];
            if (!BindArguments(function, args, count, keywordNames, s_execPlanNames, required: 1, positionalOnly: 1, slots)
                || !ReadText(function, 0, "plan", slots[0], out string plan))
            {
                return 0;
            }

            bool normalize = slots[1] == CPython.True; // exactly True, as in the Agent: 1 or 'yes' do not normalize
            return Obfuscated(() => Obfuscator.Shared.ObfuscateSqlExecPlan(plan, normalize));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint ObfuscateMongoDbString(nint self, nint* args, nint count, nint keywordNames)
    {
        try
        {
            // The Agent reads one positional argument and ignores keyword arguments.
            var a = new Arguments("obfuscate_mongodb_string", args, count);
            if (!a.Expect(1, 1) || !ReadText(a.Function, 0, "command", args[0], out string command))
            {
                return 0;
            }

            return Obfuscated(() => Obfuscator.Shared.ObfuscateMongoDbString(command));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>A new <c>str</c>, or NULL with <c>RuntimeError</c> carrying the obfuscator's message.</summary>
    private static nint Obfuscated(Func<string> obfuscate)
    {
        string result;
        try
        {
            result = obfuscate();
        }
        catch (ObfuscationException e)
        {
            Arguments.Raise(CPython.ExcRuntimeError, e.Message);
            return 0;
        }

        return PyObject.NewString(result);
    }

    /// <summary>
    /// Places positional and keyword arguments (<c>METH_FASTCALL | METH_KEYWORDS</c>) in <paramref name="slots"/>
    /// by name, as <c>PyArg_ParseTupleAndKeywords</c> does; a slot left 0 is an absent optional argument.
    /// </summary>
    private static bool BindArguments(string function, nint* args, nint count, nint keywordNames, string[] names, int required, int positionalOnly, nint* slots)
    {
        for (int i = 0; i < names.Length; i++)
        {
            slots[i] = 0;
        }

        if (count > names.Length)
        {
            return Arguments.Raise(CPython.ExcTypeError, $"{function}() takes at most {names.Length} arguments ({count} given)");
        }

        for (int i = 0; i < count; i++)
        {
            slots[i] = args[i];
        }

        nint keywords = keywordNames == 0 ? 0 : CPython.PyTuple_Size(keywordNames);
        for (int k = 0; k < keywords; k++)
        {
            string name = PyObject.TryReadString(CPython.PyTuple_GetItem(keywordNames, k)) ?? "?";
            int index = Array.IndexOf(names, name);
            if (index < positionalOnly)
            {
                return Arguments.Raise(CPython.ExcTypeError, $"'{name}' is an invalid keyword argument for {function}()");
            }

            if (slots[index] != 0)
            {
                return Arguments.Raise(CPython.ExcTypeError, $"argument for {function}() given by name ('{name}') and position ({index + 1})");
            }

            slots[index] = args[count + k];
        }

        for (int i = 0; i < required; i++)
        {
            if (slots[i] == 0)
            {
                return Arguments.Raise(CPython.ExcTypeError, i < positionalOnly
                    ? $"{function}() takes at least {required} positional argument ({count} given)"
                    : $"{function}() missing required argument '{names[i]}' (pos {i + 1})");
            }
        }

        return true;
    }

    /// <summary>Reads a <c>str</c> as the C string the Agent receives: UTF-8 (else <c>UnicodeEncodeError</c>), no NUL (else <c>ValueError</c>).</summary>
    private static bool ReadText(string function, int index, string name, nint obj, out string value)
    {
        value = string.Empty;
        if (!CPython.IsStr(obj))
        {
            return Arguments.Raise(CPython.ExcTypeError, $"{function}() argument {index + 1} ({name}) must be str, not {Arguments.TypeName(obj)}");
        }

        nint size;
        byte* data = CPython.PyUnicode_AsUTF8AndSize(obj, &size);
        if (data == null)
        {
            return false; // UnicodeEncodeError, set by CPython
        }

        var utf8 = new ReadOnlySpan<byte>(data, checked((int)size));
        if (utf8.Contains((byte)0))
        {
            return Arguments.Raise(CPython.ExcValueError, $"{function}() argument {index + 1} ({name}): embedded null character");
        }

        value = Encoding.UTF8.GetString(utf8);
        return true;
    }
}
