namespace PyChecks.Soak;

/// <summary>What a scenario requires, each requirement printed as it is judged; the scenario fails if any did not hold.</summary>
internal sealed class Verdict
{
    private readonly List<(bool Held, string What)> _requirements = [];

    public bool Passed => _requirements.TrueForAll(static r => r.Held);

    /// <summary>Records and prints one requirement: <paramref name="what"/> says what must hold and what was seen.</summary>
    public bool Require(bool held, string what)
    {
        _requirements.Add((held, what));
        Console.WriteLine($"  [{(held ? "held" : "FAILED")}] {what}");
        return held;
    }

    public void PrintSummary(string scenario)
    {
        int failed = _requirements.Count(static r => !r.Held);
        Console.WriteLine();
        Console.WriteLine(failed == 0
            ? $"{scenario}: PASSED ({_requirements.Count} requirements held)"
            : $"{scenario}: FAILED ({failed} of {_requirements.Count} requirements did not hold)");
        foreach (var (_, what) in _requirements.Where(static r => !r.Held))
        {
            Console.WriteLine($"  - {what}");
        }
    }
}
