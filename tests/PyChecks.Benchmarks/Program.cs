using BenchmarkDotNet.Running;

namespace PyChecks.Benchmarks;

/// <summary>
/// Runs the standard benchmarks (see docs/performance.md). Python is the library named by
/// <c>PYCHECKS_PYTHON</c>, or Debian's libpython3.11 when it is unset:
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- --filter '*'</c>.
/// </summary>
public static class Program
{
    /// <summary>Entry point: BenchmarkDotNet's switcher over every benchmark class in this assembly.</summary>
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
