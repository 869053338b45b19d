using System.Diagnostics;
using System.Globalization;

namespace PyChecks.Soak;

/// <summary>What the operating system and the .NET runtime say about this process and the machine.</summary>
internal static class ProcessProbe
{
    private static readonly long s_pageSize = Environment.SystemPageSize;

    /// <summary>Resident set size, bytes (<c>/proc/self/statm</c>, second field; the working set elsewhere).</summary>
    public static long Rss()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * s_pageSize;
        }
        catch (IOException)
        {
            return Environment.WorkingSet;
        }
    }

    /// <summary>The managed heap as the GC last measured it, without collecting.</summary>
    public static long ManagedHeap() => GC.GetTotalMemory(forceFullCollection: false);

    /// <summary>The managed heap after full, compacting collections (finalizers run in between).</summary>
    public static long ManagedHeapAfterFullCollection()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>CPU time this process has used (user + system).</summary>
    public static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>The process's threads, as the operating system counts them.</summary>
    public static int Threads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    /// <summary>The process's open file descriptors (<c>/proc/self/fd</c>; the listing's own descriptor included); −1 when unknown.</summary>
    public static int OpenFileDescriptors()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>This process's child processes (<c>/proc/*/stat</c> whose parent is this process): running, and ended but not reaped (zombies).</summary>
    public static (int Live, int Zombies) Children()
    {
        int live = 0, zombies = 0, self = Environment.ProcessId;
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so fields are read after the last ')'.
                string stat = File.ReadAllText(Path.Combine(folder, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 3);
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == self)
                {
                    if (fields[0] == "Z")
                    {
                        zombies++;
                    }
                    else
                    {
                        live++;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The process ended while it was read.
            }
        }

        return (live, zombies);
    }

    /// <summary><c>/proc/loadavg</c>'s three load averages.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>One line about the machine: cores, CPU model, memory.</summary>
    public static string Machine()
    {
        string model = "unknown CPU";
        long memoryKiB = 0;
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(static l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
            string? total = File.ReadLines("/proc/meminfo").FirstOrDefault(static l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memoryKiB = total is null ? 0 : long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // Not Linux: the figures that exist are printed.
        }

        return $"{Environment.ProcessorCount} cores, {model}, {memoryKiB / 1024.0 / 1024.0:F1} GiB; .NET {Environment.Version}; {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    public static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
}
