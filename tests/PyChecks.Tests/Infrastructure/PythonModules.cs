namespace PyChecks.Tests.Infrastructure;

/// <summary>What the running interpreter has imported, in a scenario child process.</summary>
public static class PythonModules
{
    /// <summary>Whether <c>sys.modules</c> holds <paramref name="name"/>: whether anything imported it.</summary>
    public static bool IsImported(string name)
    {
        using (PythonRuntime.Current!.AcquireGil())
        {
            using var sys = PyObject.Import("sys");
            using var modules = sys.GetAttr("modules");
            using var key = PyObject.From(name);
            using var found = modules.CallMethod("get", key);
            return !found.IsNone;
        }
    }
}
