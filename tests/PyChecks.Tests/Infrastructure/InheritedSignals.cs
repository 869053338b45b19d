using System.Globalization;

namespace PyChecks.Tests.Infrastructure;

/// <summary>
/// Signals this test process ignores, as the processes it starts inherit them: a job started in the background of a
/// non-interactive shell ignores SIGINT, and so does every child of it, where a Ctrl+C then ends nothing.
/// </summary>
public static class InheritedSignals
{
    /// <summary>Whether this process ignores SIGINT (bit 1 of <c>SigIgn</c> in <c>/proc/self/status</c>).</summary>
    public static bool SigintIgnored()
    {
        string? mask = File.ReadLines("/proc/self/status").FirstOrDefault(static l => l.StartsWith("SigIgn:", StringComparison.Ordinal))?["SigIgn:".Length..].Trim();
        return mask is not null && (ulong.Parse(mask, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << 1)) != 0;
    }
}
