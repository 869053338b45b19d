namespace PyChecks.Tool.Checks;

/// <summary>How a <c>check</c> command went, in counts: the last line of its text report, and the summary of its JSON one.</summary>
/// <param name="Name">The check's name.</param>
/// <param name="Instances">The instances that were loaded.</param>
/// <param name="NotLoaded">The instances that could not be configured or loaded.</param>
/// <param name="Succeeded">The runs that succeeded.</param>
/// <param name="Failed">The runs that failed (timed out and stuck ones included), at least 1 when the command was stopped.</param>
/// <param name="TimedOut">The runs that overstayed their timeout.</param>
/// <param name="Stuck">A run was left behind, blocked in C code.</param>
/// <param name="Stopped">Ctrl+C stopped the command.</param>
internal sealed record CheckTally(string Name, int Instances, int NotLoaded, int Succeeded, int Failed, int TimedOut, bool Stuck, bool Stopped)
{
    /// <summary>The runs made.</summary>
    public int Runs => Succeeded + Failed;

    /// <summary>Whether every instance loaded and every run succeeded.</summary>
    public bool AllSucceeded => Failed == 0 && NotLoaded == 0 && Instances > 0;

    /// <summary><c>hello: 1 instance, 1 run: 1 succeeded, 0 failed</c>, with what timed out or got stuck.</summary>
    public override string ToString()
    {
        string instances = Instances == 1 ? "1 instance" : $"{Instances} instances";
        string notLoaded = NotLoaded > 0 ? $", {NotLoaded} not loaded" : string.Empty;
        string runs = Runs == 1 ? "1 run" : $"{Runs} runs";
        string late = (TimedOut > 0 ? $", {TimedOut} timed out" : string.Empty) + (Stuck ? ", 1 stuck" : string.Empty);
        return $"{Name}: {instances}{notLoaded}, {runs}: {Succeeded} succeeded, {Failed} failed{late}";
    }
}
