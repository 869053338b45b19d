using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

// The first Ctrl+C interrupts what the command runs (a check, a profile), a second one ends the process.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !interrupt.IsCancellationRequested;
    interrupt.Cancel();
};
return await ToolCommandLine.RunAsync(args, ToolTerminal.Process(), interrupt.Token);
