namespace PyChecks.Checks;

/// <summary>
/// Makes the <c>pychecks</c> package, embedded in this assembly, importable: a finder on
/// <c>sys.meta_path</c> serves its modules from memory, with their sources available to tracebacks.
/// With the Datadog import aliases, the Agent's legacy modules (<c>Python/agent-dist/</c>: <c>checks</c>,
/// <c>utils</c>, <c>config</c>) are served too, from an entry at the end of <c>sys.path</c> so that
/// any real module of the same name wins (see <c>pychecks/agent_dist.py</c>). Nothing is written to disk.
/// </summary>
internal static class EmbeddedPython
{
    private const string ResourcePrefix = "pychecks-python/";

    // Resources below this folder are the Agent's legacy modules, not part of the pychecks package.
    private const string AgentDistFolder = "agent-dist/";

    private const string Bootstrap = """
        import importlib.abc, importlib.util, sys

        class EmbeddedFinder(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
            '''Serves the pychecks package from sources held in memory.'''

            def __init__(self, sources):
                self._sources = sources  # module name -> (file name, source, is package)

            def find_spec(self, fullname, path=None, target=None):
                entry = self._sources.get(fullname)
                if entry is None:
                    return None
                spec = importlib.util.spec_from_loader(fullname, self, origin=entry[0], is_package=entry[2])
                spec.has_location = True
                return spec

            def create_module(self, spec):
                return None

            def exec_module(self, module):
                filename, source, _ = self._sources[module.__name__]
                exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)

            def get_source(self, fullname):
                entry = self._sources.get(fullname)
                return None if entry is None else entry[1]

            def is_package(self, fullname):
                return self._sources[fullname][2]

        def install(sources):
            if not any(isinstance(f, EmbeddedFinder) for f in sys.meta_path):
                sys.meta_path.insert(0, EmbeddedFinder(sources))
        """;

    /// <summary>Installs the finder, then sets up Python logging and, if asked, Datadog import aliases. Call with the GIL held.</summary>
    public static void Install(bool datadogImportAliases)
    {
        var sources = new Dictionary<string, object?>(StringComparer.Ordinal);
        var agentDist = new Dictionary<string, object?>(StringComparer.Ordinal);
        var assembly = typeof(EmbeddedPython).Assembly;
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal) && r.EndsWith(".py", StringComparison.Ordinal)))
        {
            string relative = resource[ResourcePrefix.Length..^3];
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            string source = reader.ReadToEnd();
            if (relative.StartsWith(AgentDistFolder, StringComparison.Ordinal))
            {
                agentDist[relative[AgentDistFolder.Length..]] = source;
                continue;
            }

            bool isPackage = relative.EndsWith("/__init__", StringComparison.Ordinal);
            string module = (isPackage ? relative[..^"/__init__".Length] : relative).Replace('/', '.');
            sources[module] = new List<object?> { $"<pychecks>/{relative}.py", source, isPackage };
        }

        using var bootstrap = PyObject.CreateModule("_pychecks_bootstrap", Bootstrap);
        using var install = bootstrap.GetAttr("install");
        using var table = PyObject.FromClr(sources);
        install.Call(table).Dispose();

        using var log = PyObject.Import("pychecks.log");
        log.CallMethod("init_logging").Dispose();
        if (datadogImportAliases)
        {
            using var compat = PyObject.Import("pychecks.compat");
            compat.CallMethod("install_aliases").Dispose();
            using var dist = PyObject.Import("pychecks.agent_dist");
            using var distSources = PyObject.FromClr(agentDist);
            dist.CallMethod("install", distSources).Dispose();
        }
    }
}
