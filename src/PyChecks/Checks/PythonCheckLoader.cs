using System.Diagnostics.CodeAnalysis;

namespace PyChecks.Checks;

/// <summary>
/// Loads Python checks: imports <c>datadog_checks.&lt;name&gt;</c>, then <c>&lt;name&gt;</c>, takes the leaf
/// subclass of <c>AgentCheck</c> in the module, and instantiates it with <c>name</c>, <c>init_config</c> and
/// <c>instances</c> as Datadog's loader does.
/// </summary>
internal sealed class PythonCheckLoader(PythonRuntime runtime, SubmissionRouter router) : ICheckLoader
{
    private CheckEntry? _entry; // read and set with the GIL held

    public string Name => "python";

    public bool TryLoad(CheckInstanceConfig config, [NotNullWhen(true)] out ICheck? check, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(config);
        check = null;
        reason = null;
        using var gil = runtime.AcquireGil();
        PyObject? instance = null;
        try
        {
            using var host = PyObject.Import("pychecks._host");
            using var load = host.GetAttr("load_check_class");
            using var name = PyObject.From(config.CheckName);
            using var loaded = load.Call(name);
            using var cls = Item(loaded, 0);
            using var sourceObject = Item(loaded, 1);
            using var versionObject = Item(loaded, 2);
            using var warningsObject = Item(loaded, 3);

            using var create = host.GetAttr("create_check");
            using var initConfig = PyObject.FromClr(config.InitConfig);
            using var instanceConfig = PyObject.FromClr(config.Instance);
            using var id = PyObject.From(config.CheckId);
            instance = create.Call(cls, name, initConfig, instanceConfig, id);
            string[] warnings = ((List<object?>)warningsObject.ToClr()!).Select(w => (string)w!).ToArray();
            _entry ??= CheckEntry.Load();
            check = new PythonCheck(runtime, router, _entry, config, instance, "python:" + sourceObject.As<string>(), versionObject.As<string>(), warnings);
            instance = null; // owned by the check now
            return true;
        }
        catch (PythonException e)
        {
            reason = e.PythonType == "ImportError" ? e.PythonMessage : $"{e.Message}\n{e.PythonTraceback}".TrimEnd();
            return false;
        }
        finally
        {
            instance?.Dispose();
        }
    }

    private static PyObject Item(PyObject tuple, long index)
    {
        using var key = PyObject.From(index);
        return tuple.GetItem(key);
    }
}
