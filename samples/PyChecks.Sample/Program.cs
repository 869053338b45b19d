using PyChecks;

// Finds the Python on this machine (PYCHECKS_PYTHON, a venv, python3 on PATH, system paths) and starts it.
using var python = PythonRuntime.Initialize();
Console.WriteLine($"Python {python.Version} ({python.Version.Implementation}) from {python.Location.LibraryPath}, found by {python.Location.Source}");

const string Source = """
    import json, platform

    def describe(name, tags):
        return json.dumps({"hello": name, "tags": tags, "python": platform.python_version()})
    """;

// Python runs on one of the runtime's dedicated threads, with the GIL held for the duration of the work.
string answer = await python.RunAsync(() =>
{
    using var module = PyObject.CreateModule("sample", Source);
    using var describe = module.GetAttr("describe");
    using var name = PyObject.From("PyChecks");
    using var tags = PyObject.FromClr(new List<string> { "env:dev", "team:core" });
    using var result = describe.Call(name, tags);
    return result.As<string>();
});
Console.WriteLine(answer);

// Any thread can call Python directly too, inside a GIL scope.
using (python.AcquireGil())
{
    using var math = PyObject.Import("math");
    using var sqrt = math.GetAttr("sqrt");
    using var two = PyObject.From(2.0);
    using var root = sqrt.Call(two);
    Console.WriteLine($"math.sqrt(2) = {root.As<double>()}");
}
