using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>The formats a profile result can be written in.</summary>
[Experimental("PYCHECKS001")]
public enum ProfileFormat
{
    /// <summary>
    /// Folded stacks, one line per distinct stack: frames root first, leaf last, separated by <c>;</c>, then a space and
    /// the time spent in that stack in microseconds (<c>a;b;c 42</c>). What <c>flamegraph.pl</c> and speedscope read.
    /// </summary>
    Folded,

    /// <summary>Speedscope's file format (<c>"type": "sampled"</c>, shared frames, samples in time order, weights in microseconds).</summary>
    Speedscope,

    /// <summary>PyChecks' own JSON: the task, the frame table, and every snapshot (run id, sequence, time, frame ids).</summary>
    Json,

    /// <summary>
    /// A flame graph picture: a self-contained SVG (no script, nothing fetched), 1200 px wide, the root at the bottom,
    /// each frame a box as wide as its time, with its time and share in the box's tooltip.
    /// </summary>
    Svg,
}
