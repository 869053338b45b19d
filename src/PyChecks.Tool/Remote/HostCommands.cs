using System.CommandLine;
using PyChecks.Tool.CommandLine;

namespace PyChecks.Tool.Remote;

/// <summary>The commands that ask a running host over its control API.</summary>
internal static class HostCommands
{
    /// <summary>What the usage text of a read-only host command ends with.</summary>
    public const string Epilogue = "Exit code: 0 when the host answered, 3 when no host could be asked (nothing listens at the socket,\nthe token cannot be read, or the host runs another version of PyChecks).";

    /// <summary><c>status</c>, <c>checks</c>, <c>run</c>, <c>reload</c>, <c>cancel</c>, <c>memory</c>, <c>cluster</c> and <c>profile</c>, sharing their connection options.</summary>
    public static IEnumerable<ToolCommand> Create()
    {
        var host = new HostOptions();
        return
        [
            StatusCommand.Create(host),
            ChecksCommand.Create(host),
            RunCommand.Create(host),
            ReloadCommand.Create(host),
            CancelCommand.Create(host),
            MemoryCommand.Create(host),
            ClusterCommand.Create(host),
            ProfileCommand.Create(host),
        ];
    }

    /// <summary>Refuses a command line without <paramref name="argument"/> with <paramref name="missing"/>.</summary>
    public static void Require(ToolCommand command, Argument<string?> argument, string missing) =>
        command.Validators.Add(r =>
        {
            if (string.IsNullOrEmpty(r.GetValue(argument)))
            {
                r.AddError(missing);
            }
        });
}
