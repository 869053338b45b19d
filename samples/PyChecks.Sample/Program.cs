using Microsoft.Extensions.Logging;
using PyChecks;
using PyChecks.Sample;

// Runs the checks of checks.d/ configured in conf.d/ with the Python found on this machine,
// and prints what they submit through a custom ISender.
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
var options = new PyChecksOptions
{
    ChecksDirectory = Path.Combine(AppContext.BaseDirectory, "checks.d"),
    ConfigDirectory = Path.Combine(AppContext.BaseDirectory, "conf.d"),
};

using var host = CheckHost.Start(options, [new ConsoleSender()], loggerFactory);
Console.WriteLine($"Python {host.Runtime.Version} from {host.Runtime.Location.LibraryPath} (found by {host.Runtime.Location.Source})");

var report = host.LoadConfiguredChecks();
foreach (var error in report.Errors)
{
    Console.WriteLine($"not loaded: {error.Message}");
}

int rounds = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 2;
for (int round = 1; round <= rounds; round++)
{
    Console.WriteLine($"round {round}");
    foreach (var check in report.Checks)
    {
        Console.WriteLine($"{check.Id} ({check.Name} {check.Version}, every {check.Interval.TotalSeconds:0} s)");
        var result = await check.RunAsync();
        if (!result.Succeeded)
        {
            Console.WriteLine($"  error: {result.Error}\n{result.Traceback}");
        }
    }
}

foreach (var check in report.Checks)
{
    check.Dispose();
}
