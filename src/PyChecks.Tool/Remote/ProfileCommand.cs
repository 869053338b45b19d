using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;
using Spectre.Console;

namespace PyChecks.Tool.Remote;

/// <summary>
/// <c>profile &lt;check id&gt;</c>: starts a profile task on one instance of a running host (<c>POST /profiles</c>), shows
/// its progress while it samples, then fetches the result and writes it as folded stacks, speedscope JSON or an SVG
/// flame graph, chosen by the file's extension, and lists the functions that took the most time.
/// </summary>
internal static class ProfileCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var id = new Argument<string?>("id") { HelpName = "check id", Arity = ArgumentArity.ZeroOrOne, Description = "the instance's id, as 'pychecks checks' lists it" };
        var duration = new Option<double>("--duration")
        {
            HelpName = "s",
            Description = "how long to sample, in seconds, 1–600 (default: 30)",
            DefaultValueFactory = _ => 30,
        };
        var interval = new Option<double>("--interval")
        {
            HelpName = "s",
            Description = "the time between two samples, in seconds, 0.01–1 (default: 0.01)",
            DefaultValueFactory = _ => 0.01,
        };
        var maxDepth = new Option<int?>("--max-depth") { HelpName = "n", Description = "the deepest stack kept, 1–512 (default: 128)" };
        var output = new Option<string?>("--out")
        {
            HelpName = "file",
            Description = "write the result to file, by its extension: .svg (a flame graph),\n.folded (folded stacks), .json (speedscope)",
        };
        var runNow = new Option<bool>("--run") { Description = "also run the check once now (as 'pychecks run'), for a check that runs seldom" };
        var command = new ToolCommand("profile", """
            Samples the Python stacks of one check instance of a running host while its runs happen, showing
            progress, then lists the functions that took the most time and, with --out, writes the result:
            an SVG flame graph, folded stacks (flamegraph.pl), or speedscope's JSON. Ctrl+C ends the sampling
            early and keeps what was sampled. Needs the host's token.
            """)
        {
            Summary = "profile an instance: progress, top functions, a flame graph",
            Epilogue = "Exit code: 0 when the task sampled something, 1 when it failed, sampled nothing or the host refused\nit, 2 for wrong arguments, 3 when no host could be asked.",
            OneAtATime = "one instance at a time",
        };
        command.Add(id);
        foreach (var option in new Option[] { duration, interval, maxDepth, output, runNow })
        {
            command.Add(option);
        }

        host.AddTo(command, json: false);
        HostCommands.Require(command, id, "which instance? give its id, as 'pychecks checks' lists it");
        command.Validators.Add(r =>
        {
            if (r.GetValue(output) is { } file && FormatOf(file) is null)
            {
                r.AddError($"--out: '{Path.GetFileName(file)}' does not say which format: end it with .svg, .folded or .json (speedscope)");
            }
        });
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            var request = new ProfileStart(parse.GetValue(id)!, parse.GetValue(duration), parse.GetValue(interval), parse.GetValue(maxDepth), parse.GetValue(output), parse.GetValue(runNow));
            return await ProfileAsync(client, console, request, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The result's format for a file name: <c>.svg</c>, <c>.folded</c>, <c>.json</c> (speedscope); null for any other.</summary>
    public static string? FormatOf(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".svg" => "svg",
        ".folded" => "folded",
        ".json" => "speedscope",
        _ => null,
    };

    private static async Task<int> ProfileAsync(HostClient client, ToolConsole console, ProfileStart start, CancellationToken cancellationToken)
    {
        string body = string.Create(CultureInfo.InvariantCulture,
            $"{{\"checkId\": {JsonSerializer.Serialize(start.CheckId, Json.ToolJsonContext.Default.String)}, \"durationSeconds\": {start.Duration}, \"intervalSeconds\": {start.Interval}{(start.MaxDepth is { } d ? $", \"maxDepth\": {d}" : string.Empty)}}}");
        var task = await client.SendAsync(HttpMethod.Post, "profiles", body, needsToken: true, CancellationToken.None).ConfigureAwait(false);
        string taskId = task.Text("id");
        await console.Error.WriteLineAsync($"profile task {taskId} on {start.CheckId}: sampling every {JsonFields.Duration(start.Interval)} for {JsonFields.Duration(start.Duration)} (Ctrl+C ends it early)").ConfigureAwait(false);

        string? lastLine = null;

        // Run-once waits for the run to end: it goes on beside the polling.
        Task? run = start.RunNow
            ? client.SendAsync(HttpMethod.Post, $"checks/{Uri.EscapeDataString(start.CheckId.Split(':')[0])}/run", "{}", needsToken: true, CancellationToken.None)
            : null;

        task = console.Rich is { } rich
            ? await rich.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask($"sampling {Markup.Escape(start.CheckId)}", maxValue: start.Duration);
                    return await FollowAsync(client, taskId, (elapsed, t) =>
                    {
                        bar.Value = Math.Min(elapsed.TotalSeconds, start.Duration);
                        bar.Description = Markup.Escape($"sampling {start.CheckId}: {Progress(t)}");
                    }, cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false)
            : await FollowAsync(client, taskId, (elapsed, t) =>
            {
                // A line when it says something new: at most one a second.
                string line = string.Create(CultureInfo.InvariantCulture, $"sampling {start.CheckId}: {Math.Floor(elapsed.TotalSeconds):0} s of {start.Duration:0.##} s, {Progress(t)}");
                if (line != lastLine)
                {
                    console.Out.WriteLine(line);
                    lastLine = line;
                }
            }, cancellationToken).ConfigureAwait(false);

        if (run is not null)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (HostException e)
            {
                await console.Error.WriteLineAsync($"warning: the run asked with --run: {e.Message}").ConfigureAwait(false);
            }
        }

        var quality = task.GetProperty("quality");
        string state = task.Text("state");
        Listing.Fields(console, $"Profile {taskId} of {start.CheckId}: {state}", [
            ("runs", task.Count("runs")),
            ("samples", string.Create(CultureInfo.InvariantCulture, $"{quality.Count("samples")} over {JsonFields.Duration(quality.Number("sampledSeconds"))} of runs, at {quality.Number("achievedHz") ?? 0:0.#} Hz of {quality.Number("requestedHz") ?? 0:0.#} asked")),
            ("GIL wait", string.Create(CultureInfo.InvariantCulture, $"p50 {JsonFields.Duration(quality.Number("gilWaitP50Seconds"))}, p99 {JsonFields.Duration(quality.Number("gilWaitP99Seconds"))}")),
        ]);
        if (task.Text("message") is { Length: > 0 } message)
        {
            console.Out.WriteLine(message);
        }

        long samples = (long)(quality.Number("samples") ?? 0);
        if (samples > 0)
        {
            string folded = await client.SendForTextAsync(HttpMethod.Get, $"profiles/{taskId}/result?format=folded&lines=false", null, needsToken: false, CancellationToken.None).ConfigureAwait(false);
            Listing.Table(console, "Functions by time spent in themselves", ["FUNCTION", ">SELF", ">SHARE"], TopFunctions(folded, 10));
            if (start.Output is { } file)
            {
                string result = await client.SendForTextAsync(HttpMethod.Get, $"profiles/{taskId}/result?format={FormatOf(file)}", null, needsToken: false, CancellationToken.None).ConfigureAwait(false);
                await File.WriteAllTextAsync(file, result, CancellationToken.None).ConfigureAwait(false);
                Listing.Verdict(console, $"wrote {FormatOf(file)} to {Path.GetFullPath(file)}", good: true);
            }
        }

        return state is "failed" || samples == 0 ? ExitCodes.Failed : ExitCodes.Succeeded;
    }

    // Polls the task until it ends; Ctrl+C cancels it on the host (its samples stay) and waits for it to say so.
    private static async Task<JsonElement> FollowAsync(HostClient client, string taskId, Action<TimeSpan, JsonElement> report, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = await client.SendAsync(HttpMethod.Get, $"profiles/{taskId}", null, needsToken: false, CancellationToken.None).ConfigureAwait(false);
            report(clock.Elapsed, task);
            if (task.Text("state") is not ("pending" or "running"))
            {
                return task;
            }

            try
            {
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return await client.SendAsync(HttpMethod.Delete, $"profiles/{taskId}", null, needsToken: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static string Progress(JsonElement task) =>
        $"{task.Count("runs")} run(s), {task.GetProperty("quality").Count("samples")} samples";

    // The leaf frames of the folded stacks (functions, lines merged), heaviest first: where the time went.
    private static List<string[]> TopFunctions(string folded, int count)
    {
        var self = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (string line in folded.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int space = line.LastIndexOf(' ');
            if (space < 0 || !long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long micros))
            {
                continue;
            }

            string leaf = line[..space].Split(';')[^1];
            self[leaf] = self.GetValueOrDefault(leaf) + micros;
            total += micros;
        }

        return [.. self.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Take(count).Select(f => new[]
        {
            f.Key,
            JsonFields.Duration(f.Value / 1e6),
            string.Create(CultureInfo.InvariantCulture, $"{100.0 * f.Value / Math.Max(total, 1):0.0}%"),
        })];
    }
}
