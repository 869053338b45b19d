using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using PyChecks.Checks.Configuration;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Docs;

/// <summary>
/// Every fenced code block of <c>README.md</c> and <c>docs/*.md</c> (the files present when the tests run) is compiled,
/// run or parsed, so that the docs cannot drift from the code. A block says how it is checked by its language, and
/// by an HTML comment just before it, invisible once rendered: <c>&lt;!-- snippet: kind; key: value --&gt;</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>csharp</c>/<c>cs</c>: needs a marker. <c>file</c> compiles as a source file (top-level statements allowed);
/// <c>statements</c> compiles in a method body with the marker's <c>given</c> as parameters and its <c>usings</c>;
/// <c>members</c> is a listing of signatures, each a public member of <c>type</c>. No error, no warning. A <c>statements</c>
/// block marked <c>run: true</c> is also run, in a folder with the README's check, and must print what the comments after
/// its <c>Console.WriteLine</c> calls say; the senders page's sender (<c>id: statsd-sender</c>) is run with a check and must
/// send the datagram the page shows, and its assertions (<c>id: inmemory-assertions</c>) must hold for that run.</item>
/// <item><c>python</c>: <c>check</c> (with <c>file: checks.d/&lt;name&gt;.py</c>) is loaded and run by PyChecks on every
/// installed CPython, with the <c>yaml</c> block of the same document marked <c>file: conf.d/&lt;name&gt;.yaml</c> as its
/// configuration (else one empty instance), and must succeed and, given <c>expect</c>, submit that metric
/// (<c>name = value [tags]</c>). <c>load-error</c> is a check that fails to load with the message of the next <c>text</c>
/// block (on the reference Python: CPython's own messages vary by version). Without a marker, a block is compiled by
/// Python's <c>compile()</c>.</item>
/// <item><c>yaml</c>: read and resolved by PyChecks' configuration reader; a <c>config-error</c> block must fail with a
/// message shown in the next <c>text</c> block (the folder before its file name aside).</item>
/// <item><c>json</c>: parsed by System.Text.Json; <c>json-lines</c>: one document per line. With <c>type</c> (a wire type of
/// the control API, or <c>MemorySnapshot</c>), its members are compared with what the API writes (<see cref="JsonShape"/>);
/// <c>response</c> is a single document that names its <c>type</c>; <c>appsettings</c> is bound to <see cref="PyChecksOptions"/>,
/// every key an option.</item>
/// <item><c>bash</c>/<c>sh</c>/<c>console</c>: each command names things that exist (<see cref="ShellSnippet"/>); <c>refused</c>
/// marks a request the control API refuses for its method.</item>
/// <item><c>text</c>: output, messages and diagrams; not code. Marked <c>validation-errors</c>, its lines are the option
/// validator's messages for the values they name, reproduced; marked <c>load-error; check: &lt;name&gt;</c>, it is the
/// loader's message for a configured check without a module.</item>
/// </list>
/// Any other language, or none, fails with the file and line.
/// </remarks>
[TestFixture]
public sealed class DocsCodeBlockTests
{
    /// <summary>The languages a block may have.</summary>
    private static readonly HashSet<string> Languages = ["csharp", "cs", "python", "yaml", "json", "bash", "sh", "console", "text"];

    /// <summary>The environment variable that names the block a child process runs (<c>README.md:135</c>).</summary>
    private const string BlockVariable = "PYCHECKS_TEST_DOC_BLOCK";

    private static string Root => PackagingTests.RepositoryRoot();

    /// <summary>Every block, as test cases named <c>file:line language</c>.</summary>
    public static IEnumerable<TestCaseData> Blocks =>
        DocBlock.All(Root).Select(b => new TestCaseData(b).SetArgDisplayNames($"{b.File}:{b.Line} {(b.Language.Length == 0 ? "(no language)" : b.Language)}"));

    /// <summary>The C# blocks marked <c>run: true</c>, as test cases.</summary>
    public static IEnumerable<TestCaseData> RunnableBlocks =>
        DocBlock.All(Root).Where(b => b.Language is "csharp" or "cs" && b.Attribute("run") == "true").Select(b => new TestCaseData(b).SetArgDisplayNames(b.Where));

    [Test]
    public void Docs_AreTheReadmeAndEveryFileOfDocs_AndEveryBlockHasALanguageTheTestsCheck()
    {
        var files = DocBlock.DocumentFiles(Root);
        Assert.That(files, Does.Contain("README.md").And.Contain("docs/writing-checks.md"));
        Assert.That(files.Count, Is.EqualTo(1 + Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Length));

        var blocks = DocBlock.All(Root);
        TestContext.Out.WriteLine(string.Join("\n", blocks.GroupBy(b => b.File).Select(g =>
            $"{g.Key}: " + string.Join(", ", g.GroupBy(b => b.Language).Select(l => $"{l.Count()} {l.Key}")))));
        Assert.That(blocks.Where(b => !Languages.Contains(b.Language)).Select(b => $"{b.Where}: '{b.Language}'"), Is.Empty,
            "blocks without a language, or with one the docs are not checked for; give each the right tag");
    }

    [TestCaseSource(nameof(Blocks))]
    public void CodeBlock_IsCompiledRunOrParsed(DocBlock block)
    {
        switch (block.Language)
        {
            case "csharp" or "cs":
                var result = CSharpSnippet.Compile(block);
                Assert.That(result.Problems.Select(d => d.ToString()), Is.Empty, $"{block.Where}: the C# block does not compile cleanly");
                break;
            case "python":
                CheckPythonMarker(block);
                break; // compiled and run by PythonBlocks_LoadAndRunOnEachPython and LoadErrorBlocks_AreWhatTheLoaderSays
            case "yaml":
                CheckYaml(block);
                break;
            case "json":
                CheckJson(block);
                break;
            case "bash" or "sh" or "console":
                Assert.That(block.Kind, Is.Null.Or.EqualTo("refused"), $"{block.Where}: a shell block's only marker is <!-- snippet: refused -->");
                Assert.That(ShellSnippet.Commands(block), Is.Not.Empty, $"{block.Where}: a shell block without a command");
                Assert.That(ShellSnippet.Problems(block, Root), Is.Empty);
                break;
            case "text":
                Assert.That(block.Kind, Is.Null.Or.EqualTo("validation-errors").Or.EqualTo("load-error"), $"{block.Where}: a text block is output; its markers are <!-- snippet: validation-errors --> and <!-- snippet: load-error; check: <name> -->");
                break;
            default:
                Assert.Fail($"{block.Where}: a code block with language '{block.Language}' cannot be checked; tag it csharp, python, yaml, json, bash, console or text");
                break;
        }
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonBlocks_LoadAndRunOnEachPython(PythonInstall install)
    {
        Isolated.Run(install, RunPythonBlocks);
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void SendersPage_Examples_RunWithTheWritingChecksPageCheck(PythonInstall install)
    {
        Isolated.Run(install, RunSendersExamples);
    }

    [TestCaseSource(nameof(RunnableBlocks))]
    public void RunnableBlock_PrintsWhatItsCommentsSay(DocBlock block)
    {
        var install = PythonInstall.ReferenceCases.Select(c => (PythonInstall)c.Arguments[0]!).Single();
        Assert.That(ExpectedOutput(block), Is.Not.Empty, $"{block.Where}: a block that is run shows what it prints: Console.WriteLine(…); // output");
        Isolated.Run(install, RunStatementsBlock, new Dictionary<string, string?>
        {
            [BlockVariable] = block.Where,
            ["PYCHECKS_PYTHON"] = install.Library, // the README's "finds Python by itself", pointed at the install under test
        });
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LoadErrorBlocks_AreWhatTheLoaderSays(PythonInstall install)
    {
        Isolated.Run(install, ReproduceLoadErrors);
    }

    /// <summary>
    /// Child process: loads the checks of the <c>load-error</c> blocks — a Python block, whose message is the next text block,
    /// or a text block naming a check that has a configuration and no module — and compares the loader's messages.
    /// </summary>
    private static void ReproduceLoadErrors()
    {
        var blocks = DocBlock.All(Root);
        var expected = new Dictionary<string, (DocBlock Block, string Message)>(StringComparer.Ordinal);
        var folder = new CheckFolder();
        foreach (var block in blocks.Where(b => b.Kind == "load-error"))
        {
            if (block.Language == "python")
            {
                string name = CheckName(block);
                folder.Check(name, block.Text).Config(name, "instances:\n  - {}\n");
                expected[name] = (block, blocks.First(b => b.File == block.File && b.Line > block.Line && b.Language == "text").Text);
            }
            else
            {
                string name = block.Attribute("check") ?? throw new AssertionException($"{block.Where}: a load-error text block names its check: <!-- snippet: load-error; check: <name> -->");
                folder.Config(name, "instances:\n  - {}\n");
                expected[name] = (block, block.Text);
            }
        }

        Assert.That(expected, Is.Not.Empty);
        using var host = folder.Start([new InMemorySender()]);
        var errors = host.LoadConfiguredChecks().Errors.OfType<CheckLoadException>().ToDictionary(e => e.CheckName, StringComparer.Ordinal);
        foreach (var (name, (block, message)) in expected)
        {
            Assert.That(errors, Contains.Key(name), $"{block.Where}: check '{name}' fails to load");
            Assert.That(WithoutFolder(errors[name].Message), Is.EqualTo(WithoutFolder(message).TrimEnd()), $"{block.Where}: the message the docs show");
        }

        // The examples' checks.d is theirs: "/srv/app/checks.d/typo.py" stands for the folder the test made.
        static string WithoutFolder(string message) => Regex.Replace(message, @"""[^""]*/checks\.d/", "\"…/checks.d/");
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ValidationErrorBlocks_AreWhatTheOptionsValidatorSays(PythonInstall install)
    {
        Isolated.Run(install, ReproduceValidationErrors); // a process of its own, to resolve relative folders against an empty current directory
    }

    /// <summary>Child process: sets the options that the <c>validation-errors</c> blocks name, and compares the validator's messages.</summary>
    private static void ReproduceValidationErrors()
    {
        Environment.CurrentDirectory = Directory.CreateTempSubdirectory("pychecks-doc-cwd").FullName;
        var blocks = DocBlock.All(Root).Where(b => b.Kind == "validation-errors").ToList();
        Assert.That(blocks, Is.Not.Empty);
        foreach (var block in blocks)
        {
            // Each line is "<option>: <message>"; the options are set to the values the messages name, then validated as at start.
            string[] shown = block.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var services = new ServiceCollection().AddPyChecks(options =>
            {
                foreach (string line in shown)
                {
                    if (Regex.Match(line, @"The field PyChecksOptions\.(?<path>[\w.]+) must be between (?<min>-?\d+) and") is { Success: true } range)
                    {
                        SetOption(options, range.Groups["path"].Value, int.Parse(range.Groups["min"].Value, CultureInfo.InvariantCulture) - 1);
                    }
                    else if (Regex.Match(line, @"^(?<option>\w+): PyChecks:\w+ '(?<value>[^']*)' does not exist") is { Success: true } folder)
                    {
                        SetOption(options, folder.Groups["option"].Value, folder.Groups["value"].Value);
                    }
                    else
                    {
                        Assert.Fail($"{block.Where}: no rule to reproduce '{line}'");
                    }
                }
            }).BuildServiceProvider();

            var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<PyChecksOptions>>().Value);
            Assert.That(shown.Select(WithoutResolvedPath), Is.EquivalentTo(error!.Failures.Select(WithoutResolvedPath)), $"{block.Where}: the messages, as the validator words them");
        }

        // A relative folder resolves against the current directory, which differs from the example's.
        static string WithoutResolvedPath(string message) => Regex.Replace(message, @"\(resolved to '[^']*'\)", "(resolved to …)");

        static void SetOption(object options, string path, object value)
        {
            string[] names = path.Split('.');
            foreach (string name in names[..^1])
            {
                options = options.GetType().GetProperty(name)!.GetValue(options)!;
            }

            options.GetType().GetProperty(names[^1])!.SetValue(options, value);
        }
    }

    [Test]
    public void Readme_FirstCommands_RunTheSampleAndTheTests()
    {
        var first = DocBlock.Read(Root, "README.md").First(b => b.Language is "bash" or "sh" or "console");
        Assert.That(ShellSnippet.Commands(first), Is.EqualTo(new[] { "dotnet run --project samples/PyChecks.Sample", "dotnet test PyChecks.sln" }));
    }

    [Test]
    public void Readme_QuickStart_GivesAFreshProjectItsPackageProgramCheckAndConfiguration()
    {
        var quickStart = QuickStart.Read(Root);

        Assert.That(quickStart.Commands, Has.Some.StartsWith("dotnet add package PyChecks"), "how to reference the package");
        Assert.That(quickStart.Program.Text, Does.Contain("AddPyChecks(").And.Contain(": ISender"), "Program.cs wires PyChecks and a sender of its own");
        Assert.That(quickStart.Check.Attribute("file"), Does.StartWith("checks.d/").And.EndWith(".py"));
        Assert.That(quickStart.Config.Attribute("file"), Is.EqualTo($"conf.d/{quickStart.CheckName}.yaml"));
        int lines = new[] { quickStart.Program, quickStart.Check, quickStart.Config }.Sum(b => b.Text.Count(c => c == '\n'));
        Assert.That(lines, Is.LessThanOrEqualTo(40), "a quick start short enough to read at once");
    }

    /// <summary>
    /// Child process: runs the <c>statements</c> block named by <see cref="BlockVariable"/> in a fresh folder holding the README
    /// quick start's <c>checks.d</c> and <c>conf.d</c>, and checks that it prints what the comments after its
    /// <c>Console.WriteLine</c> calls say.
    /// </summary>
    private static void RunStatementsBlock()
    {
        string where = Environment.GetEnvironmentVariable(BlockVariable)!;
        var block = DocBlock.All(Root).Single(b => b.Where == where);
        var quickStart = QuickStart.Read(Root);
        string folder = Directory.CreateTempSubdirectory("pychecks-doc-run").FullName;
        foreach (var file in new[] { quickStart.Check, quickStart.Config })
        {
            string path = Path.Combine(folder, file.Attribute("file")!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Text);
        }

        var compiled = CSharpSnippet.Compile(block);
        Assert.That(compiled.Problems, Is.Empty);
        var run = CSharpSnippet.Load(compiled).GetType("DocSnippet")!.GetMethod("RunAsync")!;

        var printed = new StringWriter();
        var console = Console.Out;
        Environment.CurrentDirectory = folder;
        Console.SetOut(printed);
        try
        {
            ((Task)run.Invoke(null, null)!).GetAwaiter().GetResult();
        }
        finally
        {
            Console.SetOut(console);
        }

        string[] lines = printed.ToString().Split('\n', StringSplitOptions.TrimEntries);
        Assert.That(ExpectedOutput(block), Is.SubsetOf(lines), $"{block.Where} printed:\n{printed}");
    }

    // The comments after Console.WriteLine calls: "Console.WriteLine(x); // what it prints".
    private static List<string> ExpectedOutput(DocBlock block) =>
        [.. block.Text.Split('\n').Select(l => Regex.Match(l, @"Console\.WriteLine\(.*\);\s*//\s*(?<output>.+)$")).Where(m => m.Success).Select(m => m.Groups["output"].Value.Trim())];

    /// <summary>Child process: loads and runs every <c>check</c> block, and compiles every other Python block.</summary>
    private static void RunPythonBlocks()
    {
        var blocks = DocBlock.All(Root).Where(b => b.Language == "python").ToList();
        var folder = new CheckFolder();
        var checks = new Dictionary<string, DocBlock>(StringComparer.Ordinal);
        foreach (var block in blocks.Where(b => b.Kind == "check"))
        {
            // A module name of its own per block: two docs may show different versions of the same check.
            string name = $"doc_{Path.GetFileNameWithoutExtension(block.File).Replace('-', '_').ToLowerInvariant()}_{block.Line}_{CheckName(block)}";
            checks[name] = block;
            folder.Check(name, block.Text).Config(name, ConfigFor(block)?.Text ?? "instances:\n  - {}\n");
        }

        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var failures = new List<string>();
        foreach (var block in blocks.Where(b => b.Kind is null))
        {
            using (host.Runtime.AcquireGil())
            {
                try
                {
                    using var builtins = PyObject.Import("builtins");
                    using var compile = builtins.GetAttr("compile");
                    using var source = PyObject.FromClr(block.Text);
                    using var file = PyObject.FromClr(block.Where);
                    using var mode = PyObject.FromClr("exec");
                    using var code = compile.Call(source, file, mode);
                }
                catch (PythonException e)
                {
                    failures.Add($"{block.Where}: does not compile: {e.Message}");
                }
            }
        }

        var report = host.LoadConfiguredChecks();
        failures.AddRange(report.Errors.Select(e => $"not loaded: {e.Message}"));
        foreach (var check in report.Checks)
        {
            var block = checks[check.Name];
            sender.Clear();
            var result = check.RunAsync().GetAwaiter().GetResult();
            if (!result.Succeeded)
            {
                failures.Add($"{block.Where}: the check failed: {result.Error}\n{result.Traceback}");
                continue;
            }

            var submitted = sender.Metrics.Select(m => $"{m.Name} = {m.Value.ToString(CultureInfo.InvariantCulture)} [{string.Join(", ", m.Tags)}]").ToList();
            if (block.Attribute("expect") is { } expected && !submitted.Contains(expected))
            {
                failures.Add($"{block.Where}: expected the metric '{expected}', the check submitted: {string.Join("; ", submitted)}");
            }
            else if (submitted.Count + sender.ServiceChecks.Count + sender.Events.Count == 0)
            {
                failures.Add($"{block.Where}: the check submitted nothing");
            }

            check.Dispose();
        }

        Assert.That(checks.Count, Is.GreaterThanOrEqualTo(2), "the README's and the writing-checks page's checks");
        Assert.That(report.Checks.Select(c => c.Name), Is.EquivalentTo(checks.Keys), "one instance per check block");
        Assert.That(failures, Is.Empty);
    }

    /// <summary>
    /// Child process: the senders page's StatsD sender, compiled from the page, and an <see cref="InMemorySender"/> receive a run
    /// of the writing-checks page's check; the datagram is the page's, and the page's assertions on the recorded run hold.
    /// </summary>
    private static void RunSendersExamples()
    {
        var blocks = DocBlock.All(Root);
        var senderBlock = blocks.Single(b => b.Attribute("id") == "statsd-sender");
        string expected = blocks.Single(b => b.File == senderBlock.File && b.Language == "text" && b.Line > senderBlock.Line).Text.Trim();
        var checkBlock = blocks.Single(b => b.File == "docs/writing-checks.md" && b.Kind == "check");

        var compiled = CSharpSnippet.Compile(senderBlock);
        Assert.That(compiled.Problems, Is.Empty);
        var type = CSharpSnippet.Load(compiled).GetTypes().Single(t => typeof(ISender).IsAssignableFrom(t));

        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        var statsd = (ISender)Activator.CreateInstance(type, "127.0.0.1", port)!;
        var memory = new InMemorySender();
        var folder = new CheckFolder().Check(CheckName(checkBlock), checkBlock.Text).Config(CheckName(checkBlock), ConfigFor(checkBlock)!.Text);
        using var host = folder.Start([statsd, memory]);
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.RunAsync().GetAwaiter().GetResult().Succeeded);

        listener.Client.ReceiveTimeout = 10_000;
        IPEndPoint? from = null;
        string datagram = Encoding.UTF8.GetString(listener.Receive(ref from));
        Assert.That(datagram, Is.EqualTo(expected), $"{senderBlock.Where}: the datagram the page shows");

        // The page's InMemorySender assertions, on what that run recorded.
        var assertions = CSharpSnippet.Compile(blocks.Single(b => b.Attribute("id") == "inmemory-assertions"));
        Assert.That(assertions.Problems, Is.Empty);
        var run = CSharpSnippet.Load(assertions).GetType("DocSnippet")!.GetMethod("RunAsync")!;
        ((Task)run.Invoke(null, [memory, check])!).GetAwaiter().GetResult();
        check.Dispose();
        ((IDisposable)statsd).Dispose();
    }

    private static void CheckPythonMarker(DocBlock block)
    {
        if (block.Kind is "check" or "load-error")
        {
            Assert.That(block.Attribute("file"), Does.Match(@"^checks\.d/[a-z_][a-z0-9_]*\.py$"), $"{block.Where}: a check block names its file: <!-- snippet: {block.Kind}; file: checks.d/<name>.py -->");
        }
        else
        {
            Assert.That(block.Kind, Is.Null, $"{block.Where}: a Python block is a whole check (<!-- snippet: check; file: … -->), one that fails to load (load-error), or, without a marker, a fragment compiled by Python");
            Assert.That(block.Text, Does.Not.Match(@"class \w+\(AgentCheck\)"), $"{block.Where}: a check shown in the docs is run: mark it <!-- snippet: check; file: checks.d/<name>.py -->");
        }
    }

    private static void CheckYaml(DocBlock block)
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-doc-yaml").FullName;
        try
        {
            // conf.d/<name>.yaml, or conf.d/<name>.d/<any>.yaml, as the conf.d layout names checks.
            string file = block.Attribute("file") ?? "conf.d/doc.yaml";
            string parent = Path.GetFileName(Path.GetDirectoryName(file)) ?? string.Empty;
            string name = parent.EndsWith(".d", StringComparison.Ordinal) && parent != "conf.d" ? parent[..^2] : Path.GetFileNameWithoutExtension(file);
            string path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, block.Text);
            if (block.Kind == "config-error")
            {
                // The message is a line of the next text block; the folder before the file's name is the example's own.
                string[] messages = DocBlock.Read(Root, block.File).FirstOrDefault(b => b.Line > block.Line && b.Language == "text")?.Text.Split('\n') ?? [];
                var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.Resolve(CheckConfigReader.ReadFile(path, name)));
                string actual = error!.Message[path[..^Path.GetFileName(path).Length].Length..];
                string relative = file["conf.d/".Length..];
                Assert.That(
                    messages.Where(m => m.Contains(relative, StringComparison.Ordinal)).Select(m => m[(m.IndexOf(relative, StringComparison.Ordinal) + relative.Length - Path.GetFileName(path).Length)..]),
                    Does.Contain(actual),
                    $"{block.Where}: the text block after an error example shows its message");
            }
            else
            {
                Assert.That(block.Kind, Is.Null.Or.EqualTo("config"), $"{block.Where}: a YAML block is a configuration, or <!-- snippet: config-error; file: conf.d/… --> followed by a text block with the message");
                Assert.DoesNotThrow(() => CheckConfigReader.Resolve(CheckConfigReader.ReadFile(path, name)), $"{block.Where}: the configuration is read without error");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void CheckJson(DocBlock block)
    {
        string[] documents = block.Kind switch
        {
            null or "response" or "appsettings" => [block.Text],
            "json-lines" => block.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            _ => throw new AssertionException($"{block.Where}: a JSON block is one document (<!-- snippet: response; type: … --> for the control API's), or <!-- snippet: json-lines --> for one per line"),
        };
        string? type = block.Attribute("type");
        Assert.That(block.Kind != "response" || type is not null, $"{block.Where}: a response names its wire type: <!-- snippet: response; type: StatusResponse -->");
        foreach (string document in documents)
        {
            JsonDocument parsed;
            try
            {
                parsed = JsonDocument.Parse(document);
            }
            catch (JsonException e)
            {
                Assert.Fail($"{block.Where}: not valid JSON ({e.Message})");
                return;
            }

            using (parsed)
            {
                if (block.Kind == "appsettings")
                {
                    // Bound as AddPyChecks binds it, but refusing keys that are no option.
                    var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(document))).Build();
                    var options = new PyChecksOptions();
                    Assert.DoesNotThrow(
                        () => configuration.GetSection(PyChecksOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true),
                        $"{block.Where}: every key is an option of PyChecksOptions, with a value of its type");
                    Assert.That(configuration.GetSection(PyChecksOptions.SectionName).Exists(), $"{block.Where}: settings under \"{PyChecksOptions.SectionName}\"");
                }

                if (type is not null)
                {
                    Assert.That(JsonShape.Differences(parsed.RootElement, type), Is.Empty, $"{block.Where}: the example against what the API writes ({type})");
                }
            }
        }
    }

    private static string CheckName(DocBlock block) => Path.GetFileNameWithoutExtension(block.Attribute("file")!);

    // The YAML block of the same document that configures the check: file: conf.d/<name>.yaml.
    private static DocBlock? ConfigFor(DocBlock check) =>
        DocBlock.Read(Root, check.File).SingleOrDefault(b => b.Language == "yaml" && b.Kind != "config-error" && b.Attribute("file") == $"conf.d/{CheckName(check)}.yaml");
}
