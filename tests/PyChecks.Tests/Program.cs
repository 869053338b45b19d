using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests;

/// <summary>Entry point when the test assembly runs as a scenario child process (see <see cref="Isolated"/>).</summary>
public static class Program
{
    /// <summary>Runs <c>scenario &lt;type&gt; &lt;method&gt;</c>.</summary>
    public static int Main(string[] args)
    {
        if (args is ["scenario", var type, var method])
        {
            return Isolated.RunScenario(type, method);
        }

        Console.Error.WriteLine("usage: PyChecks.Tests scenario <assembly-qualified type> <method>  (run by the test suite, not by hand)");
        return 2;
    }
}
