using PyChecks.Runtime;

namespace PyChecks.Builtins;

/// <summary>The built-in modules, for the runtime to register before the interpreter is initialized.</summary>
internal static unsafe class BuiltinModules
{
    /// <summary>Every built-in module, in registration order.</summary>
    public static IReadOnlyList<InittabEntry> All { get; } =
    [
        new("aggregator", &AggregatorModule.Init),
        new("datadog_agent", &DatadogAgentModule.Init),
        new("_util", &SubprocessModule.Init),
        new("util", &UtilModule.Init),
        new("tagger", &TaggerModule.Init),
        new("containers", &ContainersModule.Init),
        new("kubeutil", &KubeutilModule.Init),
    ];
}
