using System.Text;
using System.Text.RegularExpressions;
using PyChecks.AspNetCore.Routing;

namespace PyChecks.Tests.Docs;

/// <summary>
/// Checks that the commands of a <c>bash</c>, <c>sh</c> or <c>console</c> block name things that exist: the projects
/// and files given to <c>dotnet</c>, the sample's and the benchmarks' arguments, the environment variables PyChecks
/// reads, the control API's routes and methods given to <c>curl</c>, the <c>pychecks</c> tool's commands and options
/// (parsed by the tool's own command line). In a <c>console</c> block only the lines that
/// start with <c>$ </c> are commands; the rest is their output. A block marked <c>refused</c> shows a request the control API
/// refuses for its method: the route exists, and does not take that method.
/// </summary>
internal static partial class ShellSnippet
{
    /// <summary>Commands of other tools that the docs may show, whose arguments are not checked.</summary>
    private static readonly HashSet<string> OtherTools = ["cat", "cd", "jq", "git", "npx", "apt-get", "pyenv", "dotnet-counters", "python3", "python3.11", "source", "pip"];

    /// <summary>The block's commands, one per element, continuation lines joined and comments removed.</summary>
    public static IReadOnlyList<string> Commands(DocBlock block)
    {
        var commands = new List<string>();
        var current = new StringBuilder();
        foreach (string raw in block.Text.Split('\n'))
        {
            string line = raw;
            if (current.Length == 0)
            {
                if (block.Language == "console")
                {
                    if (!line.StartsWith("$ ", StringComparison.Ordinal))
                    {
                        continue; // output
                    }

                    line = line[2..];
                }

                if (line.Trim().Length == 0)
                {
                    continue;
                }
            }

            line = StripComment(line);
            if (line.TrimEnd().EndsWith('\\'))
            {
                current.Append(line.TrimEnd()[..^1]).Append(' ');
                continue;
            }

            current.Append(line);
            if (current.ToString().Trim().Length > 0)
            {
                commands.Add(Regex.Replace(current.ToString().Trim(), @"\s+", " "));
            }

            current.Clear();
        }

        return commands;
    }

    /// <summary>What is wrong with the block's commands, one message each, naming the command.</summary>
    public static IReadOnlyList<string> Problems(DocBlock block, string repositoryRoot)
    {
        var problems = new List<string>();
        var clonedFolders = new List<string>();
        foreach (string command in Commands(block))
        {
            foreach (var words in SimpleCommands(command))
            {
                string? problem = Check(words, repositoryRoot, clonedFolders, block.Kind == "refused");
                if (problem is not null)
                {
                    problems.Add($"{block.Where}: `{command}`: {problem}");
                }
            }
        }

        return problems;
    }

    private static string? Check(List<string> words, string root, List<string> clonedFolders, bool refused)
    {
        int i = 0;
        var assignments = new List<string>();
        while (i < words.Count && AssignmentPattern().IsMatch(words[i]))
        {
            assignments.Add(words[i][..words[i].IndexOf('=', StringComparison.Ordinal)]);
            i++;
        }

        if (i == words.Count)
        {
            return null; // a shell variable, e.g. SOCK=…
        }

        string tool = words[i];
        var args = words.Skip(i + 1).ToList();
        if (tool == "dotnet")
        {
            var unknown = assignments.Where(a => !EnvironmentVariablesReadByTheCode(root).Contains(a)).ToList();
            if (unknown.Count > 0)
            {
                return $"PyChecks reads no environment variable named {string.Join(", ", unknown)}";
            }

            return CheckDotnet(args, root);
        }

        if (tool == "curl")
        {
            return CheckCurl(args, refused);
        }

        if (tool == "pychecks")
        {
            return CheckPychecks(args);
        }

        if (tool == "git" && args is ["clone", var url, ..])
        {
            clonedFolders.Add(url.TrimEnd('/').Split('/')[^1].Replace(".git", string.Empty, StringComparison.Ordinal));
        }

        if (tool.StartsWith("./", StringComparison.Ordinal))
        {
            return clonedFolders.Any(f => tool.StartsWith($"./{f}/", StringComparison.Ordinal)) ? null : $"{tool} is not in the repository nor cloned before";
        }

        return OtherTools.Contains(tool) ? null : $"unknown command '{tool}'; a doc shows dotnet, curl, or one of {string.Join(", ", OtherTools)}";
    }

    private static string? CheckDotnet(List<string> args, string root)
    {
        switch (args)
        {
            case ["test", var target, ..]:
                return File.Exists(Path.Combine(root, target)) || Directory.Exists(Path.Combine(root, target)) ? null : $"{target} does not exist";
            case ["add", "package", var package, ..]:
                return File.Exists(Path.Combine(root, "src", package, package + ".csproj"))
                    || File.ReadAllText(Path.Combine(root, "Directory.Packages.props")).Contains($"Include=\"{package}\"", StringComparison.Ordinal)
                    ? null
                    : $"{package} is neither built from src/ nor a package the repository uses";
            case ["new", ..]:
                return null;
            case ["tool", "install" or "update", .. var rest]:
                return rest.Contains("PyChecks.Tool") && File.Exists(Path.Combine(root, "src", "PyChecks.Tool", "PyChecks.Tool.csproj"))
                    ? null
                    : $"dotnet tool {args[1]}: the tool the docs install is PyChecks.Tool";
            case ["pychecks", .. var rest]:
                return CheckPychecks(rest);
            case ["run", ..]:
                break;
            default:
                return $"dotnet {string.Join(' ', args)}: not a command the docs are checked for";
        }

        int separator = args.IndexOf("--");
        var own = separator < 0 ? args : args[..separator];
        var appArgs = separator < 0 ? [] : args[(separator + 1)..];
        int projectIndex = own.IndexOf("--project");
        if (projectIndex < 0 || projectIndex + 1 >= own.Count)
        {
            return "dotnet run without --project <path>";
        }

        string project = own[projectIndex + 1];
        string projectPath = Path.Combine(root, project);
        if (!Directory.Exists(projectPath) || Directory.GetFiles(projectPath, "*.csproj").Length == 0)
        {
            return $"--project {project}: no project folder there";
        }

        if (own.IndexOf("-c") is >= 0 and var c && (c + 1 >= own.Count || own[c + 1] is not ("Release" or "Debug")))
        {
            return "-c takes Release or Debug";
        }

        string sources = string.Concat(Directory.GetFiles(projectPath, "*.cs").Select(File.ReadAllText));
        return project switch
        {
            "samples/PyChecks.Sample" => CheckSampleArguments(appArgs, projectPath),
            "tests/PyChecks.Benchmarks" => CheckBenchmarkArguments(appArgs, sources),
            "tests/PyChecks.Soak" => CheckSoakArguments(appArgs, sources),
            "tests/PyChecks.Orleans.Tests" => CheckClusterMeasurementArguments(appArgs, string.Concat(Directory.GetFiles(projectPath, "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText))),
            _ => appArgs.Count == 0 ? null : $"arguments for {project} are not checked; add a rule",
        };
    }

    private static string? CheckSampleArguments(List<string> args, string projectPath)
    {
        if (args.Count == 0)
        {
            return null;
        }

        if (args is not ["check", var name, .. var options])
        {
            return $"the sample takes no arguments but 'check <name> [options]', not '{string.Join(' ', args)}'";
        }

        // The sample's check command is the tool's: its parser says whether the options exist.
        if (CheckPychecks(["check", name, .. options]) is { } problem)
        {
            return $"the sample's {problem["pychecks ".Length..]}";
        }

        // With a conf.d of its own, the check may be an installed package (datadog_checks.<name>) rather than a sample check.
        if (!options.Contains("--checks-dir") && !options.Contains("--conf-dir") && !File.Exists(Path.Combine(projectPath, "checks.d", name + ".py")))
        {
            return $"the sample has no check '{name}' in its checks.d";
        }

        return null;
    }

    private static string? CheckBenchmarkArguments(List<string> args, string sources)
    {
        if (args is [var program, ..] && !program.StartsWith('-'))
        {
            return sources.Contains($"\"{program}\"", StringComparison.Ordinal) ? null : $"the benchmarks program has no '{program}' command";
        }

        int filter = args.IndexOf("--filter");
        if (filter < 0)
        {
            return args.Count == 0 ? null : $"benchmark arguments '{string.Join(' ', args)}' are not checked; add a rule";
        }

        foreach (string pattern in args.Skip(filter + 1).TakeWhile(a => !a.StartsWith('-')))
        {
            string name = pattern.Trim('*');
            if (name.Length > 0 && !sources.Contains($"class {name}", StringComparison.Ordinal))
            {
                return $"--filter '{pattern}' matches no benchmark class";
            }
        }

        return null;
    }

    // The cluster tests' program runs the failover measurement: `failover` and options its source names.
    private static string? CheckClusterMeasurementArguments(List<string> args, string sources)
    {
        if (args is not ["failover", .. var options])
        {
            return "the cluster tests' program takes `failover` (the hosts it starts itself take `host`)";
        }

        var unknown = options.Where(o => o.StartsWith("--", StringComparison.Ordinal) && !sources.Contains($"\"{o}\"", StringComparison.Ordinal)).ToList();
        return unknown.Count == 0 ? null : $"the failover measurement has no option {string.Join(", ", unknown)}";
    }

    private static string? CheckSoakArguments(List<string> args, string sources)
    {
        if (args is not [var scenario, .. var options])
        {
            return "the soak program needs a scenario";
        }

        if (scenario != "all" && !sources.Contains($"[\"{scenario}\"]", StringComparison.Ordinal))
        {
            return $"the soak program has no scenario '{scenario}'";
        }

        var unknown = options.Where(o => o.StartsWith("--", StringComparison.Ordinal) && !sources.Contains($"\"{o}\"", StringComparison.Ordinal)).ToList();
        return unknown.Count == 0 ? null : $"the soak program has no option {string.Join(", ", unknown)}";
    }

    // The tool's own parser: the command and its options exist, with values of their kind (files and folders aside, which are the reader's).
    private static string? CheckPychecks(List<string> args)
    {
        var parse = PyChecks.Tool.CommandLine.ToolCommandLine.Create().Parse(args);
        var problems = parse.Errors.Select(e => e.Message)
            .Where(m => !NoSuchPathPattern().IsMatch(m))
            .Concat(parse.UnmatchedTokens.Select(t => $"'{t}' is no option or argument"))
            .ToList();
        if (args.Count == 0 || (parse.CommandResult.Command == parse.RootCommandResult.Command && !args.Contains("--help") && !args.Contains("--version")))
        {
            problems.Add("no command");
        }

        return problems.Count == 0 ? null : $"pychecks {string.Join(' ', args)}: {string.Join("; ", problems)}";
    }

    private static string? CheckCurl(List<string> args, bool refused)
    {
        string? url = args.FirstOrDefault(a => a.StartsWith("http://localhost", StringComparison.Ordinal));
        if (url is null)
        {
            return "curl without an http://localhost URL of the control API";
        }

        int x = args.IndexOf("-X");
        string method = x >= 0 && x + 1 < args.Count ? args[x + 1] : args.Contains("-d") ? "POST" : "GET";
        string path = new Uri(url.Replace("$", "_", StringComparison.Ordinal)).AbsolutePath;
        string? allowed = RouteTable.AllowedMethod(path);
        if (allowed is null)
        {
            return $"the control API has no route {path}";
        }

        bool takes = allowed.Split(", ").Contains(method);
        return takes == !refused ? null : refused ? $"marked refused, but {path} takes {method}" : $"{path} takes {allowed}, not {method}";
    }

    /// <summary>Splits a command line into simple commands (at <c>&amp;&amp;</c>, <c>||</c>, <c>|</c>, <c>;</c>), each a list of words with quotes removed; redirections are dropped.</summary>
    internal static IEnumerable<List<string>> SimpleCommands(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false, redirect = false;
        char quote = '\0';

        void EndWord()
        {
            if (inWord && !redirect)
            {
                words.Add(word.ToString());
            }

            redirect &= !inWord;
            word.Clear();
            inWord = false;
        }

        for (int i = 0; i < command.Length; i++)
        {
            char ch = command[i];
            if (quote != '\0')
            {
                if (ch == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(ch);
                }

                continue;
            }

            switch (ch)
            {
                case '\'' or '"':
                    quote = ch;
                    inWord = true;
                    break;
                case ' ':
                    EndWord();
                    break;
                case '>' or '<':
                    EndWord();
                    redirect = true;
                    break;
                case '&' or '|' or ';':
                    EndWord();
                    if (i + 1 < command.Length && command[i + 1] == ch)
                    {
                        i++;
                    }

                    if (words.Count > 0)
                    {
                        yield return words;
                    }

                    words = [];
                    break;
                default:
                    word.Append(ch);
                    inWord = true;
                    break;
            }
        }

        EndWord();
        if (words.Count > 0)
        {
            yield return words;
        }
    }

    // A '#' that starts a word, outside quotes, starts a comment.
    private static string StripComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quote != '\0')
            {
                quote = ch == quote ? '\0' : quote;
            }
            else if (ch is '\'' or '"')
            {
                quote = ch;
            }
            else if (ch == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i].TrimEnd();
            }
        }

        return line;
    }

    private static HashSet<string> EnvironmentVariablesReadByTheCode(string root) =>
        [.. new[] { "src", "tests/PyChecks.Benchmarks" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .SelectMany(f => EnvironmentVariablePattern().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value))];

    [GeneratedRegex(@"^--[a-z-]+: no such (directory|file): ")]
    private static partial Regex NoSuchPathPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex AssignmentPattern();

    [GeneratedRegex("\"(?<name>[A-Z][A-Z0-9_]{3,})\"")]
    private static partial Regex EnvironmentVariablePattern();
}
