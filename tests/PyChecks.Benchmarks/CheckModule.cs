namespace PyChecks.Benchmarks;

/// <summary>One check module a benchmark host loads: <c>checks.d/{Name}.py</c> holding <see cref="Source"/>, and its instances.</summary>
/// <param name="Name">The check's name (the module's file name).</param>
/// <param name="Source">The module's Python source.</param>
/// <param name="Instances">The instances to load, in order.</param>
internal sealed record CheckModule(string Name, string Source, IReadOnlyList<IReadOnlyDictionary<string, object?>> Instances);
