using System.Globalization;

namespace PyChecks.Benchmarks;

/// <summary>
/// What the machine's CPUs did, as Linux tells it: the CPU time of this process, the time on a CPU and the times
/// scheduled in of a process's threads (this one, or a worker process by pid), and the load average. The worker
/// benchmarks use them to say on which side of the socket a figure's time goes, and how many thread wake-ups it costs.
/// </summary>
internal static class CpuReadings
{
    /// <summary>The CPU time (user and system, every thread, those that ended too) this process has used.</summary>
    public static TimeSpan ThisProcess => Environment.CpuUsage.TotalTime;

    /// <summary>
    /// The time on a CPU of the threads process <paramref name="pid"/> has now, and how many times they were scheduled
    /// in, as the scheduler counts them (<c>/proc/PID/task/*/schedstat</c>; <c>/proc/PID/stat</c> counts in 10 ms
    /// ticks, too coarse for a short round). Threads that ended no longer count: a worker's threads live as long as it does.
    /// </summary>
    public static (TimeSpan Cpu, long ScheduledIn) OfProcess(int pid)
    {
        long nanoseconds = 0, scheduledIn = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                // "<ns on a CPU> <ns waiting for one> <times scheduled in>"
                string[] fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                nanoseconds += long.Parse(fields[0], CultureInfo.InvariantCulture);
                scheduledIn += long.Parse(fields[2], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return (TimeSpan.FromTicks(nanoseconds / 100), scheduledIn);
    }

    /// <summary>
    /// The CPU time (user and system) process <paramref name="pid"/> has used, every thread, those that ended too
    /// (<c>/proc/PID/stat</c>, in 10 ms clock ticks: for spans of seconds).
    /// </summary>
    public static TimeSpan TotalOfProcess(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // After the command's closing parenthesis: the state is field 3; utime and stime are fields 14 and 15.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 1000.0 / ClockTicksPerSecond);
    }

    /// <summary>The machine's 1-minute load average, as <c>/proc/loadavg</c> gives it.</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    // USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux .NET runs on.
    private const int ClockTicksPerSecond = 100;
}
