using System.CommandLine;
using System.Globalization;
using PyChecks.Tool.Checks;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;
using Spectre.Console;

namespace PyChecks.Tool.Discovery;

/// <summary>
/// <c>python</c>: starts Python as the <c>check</c> command would, through PyChecks' own discovery, and says which one it
/// is, how it was found, every candidate looked at before it and why it was passed over, the <c>sys.path</c> checks
/// start with, and whether Datadog's toolkit imports in it.
/// </summary>
internal static class PythonCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create()
    {
        var python = new Option<string?>("--python")
        {
            HelpName = "path",
            Description = "a libpython3.X.so or python3 executable to try instead of searching",
        };
        var checksDir = new Option<string?>("--checks-dir")
        {
            HelpName = "dir",
            Description = "the checks folder, which is on sys.path (default: ./checks.d)",
        };
        var command = new ToolCommand("python", """
            Shows the Python that PyChecks would use here: how it was found, every candidate looked at
            before it and why it was passed over, sys.path as checks start with it, and whether Datadog's
            toolkit (datadog_checks.base) imports. Discovery tries, in order: --python, PYCHECKS_PYTHON,
            PYTHONNET_PYDLL, the active virtual environment (VIRTUAL_ENV), python3 on PATH, the system's
            library folders.
            """)
        {
            Summary = "which Python PyChecks would use, and why",
            Epilogue = "Exit code: 0 when a Python starts, 1 when none does.",
        };
        command.Add(python);
        command.Add(checksDir);
        command.Handler = (parse, console, _) =>
        {
            var options = new PyChecksOptions();
            CheckDefaults.CurrentFolder.Configure!(options);
            options.ChecksDirectory = parse.GetValue(checksDir) is { } dir ? Path.GetFullPath(dir) : options.ChecksDirectory;
            options.Python.Python = parse.GetValue(python);
            return Task.FromResult(Run(options, console));
        };
        return command;
    }

    /// <summary>Starts Python with <paramref name="options"/> and reports what was found.</summary>
    public static int Run(PyChecksOptions options, ToolConsole console)
    {
        CheckHost host;
        try
        {
            host = CheckHost.Start(options, []);
        }
        catch (PythonRuntimeException e)
        {
            // Its message lists every candidate, in order, with why each was passed over, and how to configure one.
            console.Out.WriteLine(e.Message);
            return ExitCodes.Failed;
        }

        using (host)
        {
            var report = PythonReport.Read(host.Runtime);
            if (console.Rich is { } rich)
            {
                WriteRich(rich, report);
            }
            else
            {
                WritePlain(console.Out, report);
            }
        }

        return ExitCodes.Succeeded;
    }

    private static void WritePlain(TextWriter output, PythonReport report)
    {
        var runtime = report.Runtime;
        var location = runtime.Location;
        output.WriteLine($"Python {runtime.Version} ({runtime.Version.Implementation})");
        output.WriteLine($"  library     {location.LibraryPath}");
        output.WriteLine($"  found by    {location.Source}");
        output.WriteLine($"  started as  {location.Executable ?? "CPython's default program (no python executable matches the library)"}");
        output.WriteLine($"  version     {runtime.Version.FullVersion.ReplaceLineEndings(" ")}");
        output.WriteLine();
        output.WriteLine("Looked at, in order (the first usable one is used):");
        for (int i = 0; i < location.Candidates.Count; i++)
        {
            var candidate = location.Candidates[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i + 1}. {(candidate.Accepted ? "used    " : "passed  ")} {candidate}"));
        }

        output.WriteLine();
        output.WriteLine("sys.path at start:");
        foreach (string entry in report.SysPath)
        {
            output.WriteLine($"  {(entry.Length == 0 ? "'' (the current folder)" : entry)}");
        }

        output.WriteLine();
        output.WriteLine($"Datadog toolkit: {report.Toolkit}");
    }

    private static void WriteRich(IAnsiConsole console, PythonReport report)
    {
        var runtime = report.Runtime;
        var location = runtime.Location;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow(new Markup("[bold]Python[/]"), new Markup($"[bold green]{runtime.Version}[/] ({Markup.Escape(runtime.Version.Implementation)})"));
        grid.AddRow(new Text("library"), new Text(location.LibraryPath));
        grid.AddRow(new Text("found by"), new Text(location.Source));
        grid.AddRow(new Text("started as"), new Text(location.Executable ?? "CPython's default program (no python executable matches the library)"));
        grid.AddRow(new Text("version"), new Text(runtime.Version.FullVersion.ReplaceLineEndings(" ")));
        console.Write(grid);

        var candidates = new Table { Border = TableBorder.Rounded, Title = new TableTitle("Looked at, in order (the first usable one is used)") };
        candidates.AddColumn(new TableColumn("#").RightAligned()).AddColumn("SOURCE").AddColumn("PATH").AddColumn("RESULT");
        for (int i = 0; i < location.Candidates.Count; i++)
        {
            var c = location.Candidates[i];
            candidates.AddRow(
                new Text((i + 1).ToString(CultureInfo.InvariantCulture)),
                new Text(c.Source),
                new Text(c.Path ?? "-"),
                new Text(c.Reason, new Style(c.Accepted ? Color.Green : Color.Grey)));
        }

        console.Write(candidates);
        var path = new Table { Border = TableBorder.Rounded, Title = new TableTitle("sys.path at start") }.AddColumn("ENTRY");
        foreach (string entry in report.SysPath)
        {
            path.AddRow(new Text(entry.Length == 0 ? "'' (the current folder)" : entry));
        }

        console.Write(path);
        console.MarkupLine($"[bold]Datadog toolkit:[/] [{(report.ToolkitImports ? "green" : "yellow")}]{Markup.Escape(report.Toolkit)}[/]");
    }
}
