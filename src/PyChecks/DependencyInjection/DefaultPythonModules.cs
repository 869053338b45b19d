using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using PyChecks.Builtins;
using PyChecks.Checks;

namespace PyChecks.DependencyInjection;

/// <summary>
/// Gives the runtime its default modules: a <see cref="PythonRuntime"/> started on its own
/// (<see cref="PythonRuntime.Initialize(PythonRuntimeOptions?)"/>) offers the Datadog built-in modules, as one started
/// by <see cref="CheckHost"/> does, while the runtime's layer knows nothing of them.
/// </summary>
internal static class DefaultPythonModules
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Stores a delegate and nothing else; the modules are registered when a runtime starts.")]
    internal static void Install() => PythonRuntime.UseDefaultModules(static () =>
        BuiltinModules.Register(new SubmissionRouter([], CheckHost.AgentInfoOf(new PyChecksOptions(), NullLoggerFactory.Instance), NullLoggerFactory.Instance, new AgentServices(), null)));
}
