using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>Waits, in real time, for something another thread makes true: the scheduler and the workers run on their own threads.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static void That(Func<bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>Asserts that <paramref name="condition"/> stays true for <paramref name="milliseconds"/> of real time.</summary>
    public static void Stays(Func<bool> condition, string what, int milliseconds = 300)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(milliseconds);
        while (DateTime.UtcNow < deadline)
        {
            Assert.That(condition(), Is.True, what);
            Thread.Sleep(10);
        }
    }
}
