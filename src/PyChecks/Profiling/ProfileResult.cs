using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

using PyChecks.Profiling;

namespace PyChecks;

/// <summary>
/// What a profile task sampled, as of when it was asked for: the frame table and the samples, writable as folded
/// stacks, speedscope JSON, PyChecks' JSON or an SVG flame graph (<see cref="ProfileFormat"/>). Times and weights are in microseconds.
/// </summary>
[Experimental("PYCHECKS001")]
public sealed class ProfileResult
{
    private readonly int[][] _stacks;
    private readonly long[] _stackWeights;
    private readonly StackSample[] _samples;
    private readonly RunRecord[] _runs;

    internal ProfileResult(ProfileTask task, ProfileFrame[] frames, int[][] stacks, long[] stackWeights, StackSample[] samples, RunRecord[] runs)
    {
        Task = task;
        Frames = frames;
        _stacks = stacks;
        _stackWeights = stackWeights;
        _samples = samples;
        _runs = runs;
    }

    /// <summary>The task, as it was when the result was taken.</summary>
    public ProfileTask Task { get; }

    /// <summary>The frame table: every distinct (code object, line) seen, plus the <c>&lt;truncated&gt;</c> marker if a stack was cut.</summary>
    public IReadOnlyList<ProfileFrame> Frames { get; }

    /// <summary>
    /// The MIME type of a format: <c>text/plain; charset=utf-8</c> for folded stacks, <c>image/svg+xml</c> for the flame
    /// graph, <c>application/json</c> otherwise.
    /// </summary>
    /// <param name="format">The format.</param>
    public static string ContentType(ProfileFormat format) => format switch
    {
        ProfileFormat.Folded => "text/plain; charset=utf-8",
        ProfileFormat.Svg => "image/svg+xml",
        _ => "application/json",
    };

    /// <summary>Parses a format name as the control API takes it: <c>folded</c>, <c>speedscope</c>, <c>json</c> or <c>svg</c> (any case).</summary>
    /// <param name="name">The name.</param>
    /// <param name="format">The format.</param>
    /// <returns>Whether the name is one of the four.</returns>
    public static bool TryParseFormat(string? name, out ProfileFormat format)
    {
        ProfileFormat? parsed = name?.ToLowerInvariant() switch
        {
            "folded" => ProfileFormat.Folded,
            "speedscope" => ProfileFormat.Speedscope,
            "json" => ProfileFormat.Json,
            "svg" => ProfileFormat.Svg,
            _ => null,
        };
        format = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>Writes the result in <paramref name="format"/> (UTF-8) to <paramref name="destination"/>.</summary>
    /// <param name="format">The format.</param>
    /// <param name="destination">Where to write; left open.</param>
    /// <param name="includeLines">For <see cref="ProfileFormat.Folded"/> and <see cref="ProfileFormat.Svg"/>: label frames <c>name (file:line)</c>; when false, <c>name (file)</c>, merging a function's lines.</param>
    public void Write(ProfileFormat format, Stream destination, bool includeLines = true)
    {
        ArgumentNullException.ThrowIfNull(destination);
        switch (format)
        {
            case ProfileFormat.Folded:
                using (var writer = new StreamWriter(destination, new UTF8Encoding(false), 16 * 1024, leaveOpen: true))
                {
                    writer.Write(ToFolded(includeLines));
                }

                break;
            case ProfileFormat.Speedscope:
                WriteSpeedscope(destination);
                break;
            case ProfileFormat.Json:
                WriteJson(destination);
                break;
            case ProfileFormat.Svg:
                WriteSvg(destination, includeLines);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "The format must be Folded, Speedscope, Json or Svg.");
        }
    }

    /// <summary>
    /// Folded stacks: one line per distinct stack, frames root first and leaf last, separated by <c>;</c>, then a space
    /// and the microseconds spent in it; heaviest first.
    /// </summary>
    /// <param name="includeLines">Label frames <c>name (file:line)</c>; when false, <c>name (file)</c>, merging a function's lines.</param>
    public string ToFolded(bool includeLines = true)
    {
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        string[] labels = new string[Frames.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = FoldedLabel(Frames[i].Label(includeLines));
        }

        var builder = new StringBuilder();
        for (int s = 0; s < _stacks.Length; s++)
        {
            builder.Clear();
            foreach (int frame in _stacks[s])
            {
                if (builder.Length > 0)
                {
                    builder.Append(';');
                }

                builder.Append(labels[frame]);
            }

            string key = builder.ToString();
            lines[key] = lines.GetValueOrDefault(key) + Micros(_stackWeights[s]);
        }

        builder.Clear();
        foreach (var (stack, micros) in lines.OrderByDescending(l => l.Value).ThenBy(l => l.Key, StringComparer.Ordinal))
        {
            builder.Append(stack).Append(' ').Append(micros).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>
    /// An SVG flame graph of the same stacks as <see cref="ToFolded"/>: the root at the bottom, each frame a box as wide as
    /// the time spent in it and its callees (the widths of one depth add up to the time of the stacks that deep), its
    /// tooltip (<c>&lt;title&gt;</c>) giving that time and its share. Self-contained: no script, nothing fetched.
    /// </summary>
    /// <param name="destination">Where to write (UTF-8); left open.</param>
    /// <param name="includeLines">Label frames <c>name (file:line)</c>; when false, <c>name (file)</c>, merging a function's lines.</param>
    public void WriteSvg(Stream destination, bool includeLines = true)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var graph = new FlameGraph();
        string[] labels = new string[Frames.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = Frames[i].Label(includeLines);
        }

        // Per stack, in microseconds as the folded lines give them, so that both formats add up to the same figures.
        for (int s = 0; s < _stacks.Length; s++)
        {
            graph.Add(_stacks[s].Select(f => labels[f]), Micros(_stackWeights[s]));
        }

        var quality = Task.Quality;
        string subtitle = string.Create(CultureInfo.InvariantCulture,
            $"profile {Task.Id} · {Task.Runs} run(s) · {quality.Samples} samples · {quality.SampledTime.TotalMilliseconds:0.#} ms sampled at {quality.AchievedHz:0.#} Hz · hover a box for its time");
        using var writer = new StreamWriter(destination, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        graph.Write(writer, $"Flame graph of {Task.CheckId}", subtitle);
    }

    /// <summary>Speedscope's file format: one <c>sampled</c> profile, samples in time order (root first), weights in microseconds.</summary>
    /// <param name="destination">Where to write; left open.</param>
    public void WriteSpeedscope(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var json = new Utf8JsonWriter(destination);
        json.WriteStartObject();
        json.WriteString("$schema", "https://www.speedscope.app/file-format-schema.json");
        json.WriteString("name", $"PyChecks profile {Task.Id} of {Task.CheckId}");
        json.WriteString("exporter", "PyChecks");
        json.WriteNumber("activeProfileIndex", 0);
        json.WriteStartObject("shared");
        json.WriteStartArray("frames");
        foreach (var frame in Frames)
        {
            json.WriteStartObject();
            json.WriteString("name", frame.Name);
            if (frame.File.Length > 0)
            {
                json.WriteString("file", frame.File);
                json.WriteNumber("line", frame.Line);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("profiles");
        json.WriteStartObject();
        json.WriteString("type", "sampled");
        json.WriteString("name", Task.CheckId);
        json.WriteString("unit", "microseconds");
        json.WriteNumber("startValue", 0);
        long total = 0;
        foreach (var sample in _samples)
        {
            total += Micros(sample.WeightTicks);
        }

        json.WriteNumber("endValue", total);
        json.WriteStartArray("samples");
        foreach (var sample in _samples)
        {
            json.WriteStartArray();
            foreach (int frame in _stacks[sample.StackId])
            {
                json.WriteNumberValue(frame);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("weights");
        foreach (var sample in _samples)
        {
            json.WriteNumberValue(Micros(sample.WeightTicks));
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// PyChecks' JSON: <c>task</c> (the task and its quality), <c>frames</c> (the frame table) and <c>runs</c>, each
    /// with its snapshots in order (sequence, timestamp, offset and weight in microseconds, frame ids root first).
    /// </summary>
    /// <param name="destination">Where to write; left open.</param>
    public void WriteJson(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var json = new Utf8JsonWriter(destination);
        var origin = Task.StartedAt ?? Task.CreatedAt;
        json.WriteStartObject();
        json.WriteString("format", "pychecks-profile/1");
        json.WritePropertyName("task");
        Task.WriteJson(json);
        json.WriteStartArray("frames");
        foreach (var frame in Frames)
        {
            json.WriteStartObject();
            json.WriteNumber("id", frame.Id);
            json.WriteString("name", frame.Name);
            json.WriteString("file", frame.File);
            json.WriteNumber("line", frame.Line);
            json.WriteNumber("firstLine", frame.FirstLine);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        var byRun = _samples.ToLookup(s => s.RunId);
        json.WriteStartArray("runs");
        foreach (var run in _runs.OrderBy(r => r.RunId))
        {
            json.WriteStartObject();
            json.WriteNumber("runId", run.RunId);
            json.WriteNumber("threadId", run.ThreadId);
            json.WriteNumber("attachedAtMicros", Micros(run.AttachedTicks));
            if (run.DetachedTicks is { } detached)
            {
                json.WriteNumber("detachedAtMicros", Micros(detached));
            }

            json.WriteStartArray("snapshots");
            foreach (var sample in byRun[run.RunId])
            {
                json.WriteStartObject();
                json.WriteNumber("sequence", sample.Sequence);
                json.WriteString("timestamp", origin + Stopwatch.GetElapsedTime(0, sample.OffsetTicks));
                json.WriteNumber("offsetMicros", Micros(sample.OffsetTicks));
                json.WriteNumber("weightMicros", Micros(sample.WeightTicks));
                json.WriteStartArray("frames");
                foreach (int frame in _stacks[sample.StackId])
                {
                    json.WriteNumberValue(frame);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static long Micros(long stopwatchTicks) => stopwatchTicks * 1_000_000 / Stopwatch.Frequency;

    // ';' separates frames and a newline ends a stack: neither may appear inside a label.
    private static string FoldedLabel(string label) =>
        label.AsSpan().IndexOfAny(";\n\r") < 0 ? label : label.Replace(';', ',').Replace('\n', ' ').Replace('\r', ' ');
}
