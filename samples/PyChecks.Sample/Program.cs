using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyChecks;
using PyChecks.Sample;

// The sample serves http://127.0.0.1:<port>/health for its http_probe check to fetch.
await using var server = LoopbackStatusServer.Start();

// `check <name> [options]`: run one check directly, outside the scheduler, and print what it submitted.
if (args is ["check", .. var commandArgs])
{
    using var interrupt = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = !interrupt.IsCancellationRequested; // the first Ctrl+C interrupts the check, a second one ends the process
        interrupt.Cancel();
    };
    return await CheckCommand.RunAsync(commandArgs, Console.Out, Console.Error, o => SampleChecks.Configure(o, server.HealthUrl), interrupt.Token);
}

// Otherwise: a Generic Host whose scheduler runs every configured check at its interval; the table shows the latest values.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning); // the table is the output; logs only for what goes wrong
// A start that fails is printed below as one line; the host would also log it with its stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.Services.AddPyChecks(o => SampleChecks.Configure(o, server.HealthUrl));

// The control API on a Unix socket only this user can open (mode 0600); mutating routes need the token in its file.
builder.Services.AddPyChecksLocalApi();

using var table = ConsoleTableSender.ForConsole();
table.Title = $"PyChecks sample · checks.d and conf.d in {AppContext.BaseDirectory} · serving {server.HealthUrl} · Ctrl+C stops";
builder.Services.AddSingleton<ISender>(table);

try
{
    using var app = builder.Build();
    var api = app.Services.GetRequiredService<IOptions<PyChecksApiOptions>>().Value;
    var python = app.Services.GetRequiredService<PythonRuntime>(); // starts Python: which one, and how it was found
    table.Title += $"""

        Python {python.Version.Major}.{python.Version.Minor}.{python.Version.Micro}: {python.Location.LibraryPath}, found by {python.Location.Source}, started as {python.Location.Executable ?? "CPython's default program"}
        control API: curl --unix-socket {api.UnixSocketPath} http://localhost/status
                     curl --unix-socket {api.UnixSocketPath} -X POST -H "Authorization: Bearer $(cat {api.TokenFilePath})" http://localhost/checks/hello/run
        pychecks:    pychecks status --socket {api.UnixSocketPath}    (dotnet tool install -g PyChecks.Tool; also checks, run hello, profile <id>)
        """;
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is PythonRuntimeException or OptionsValidationException or ControlApiStartException)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}
