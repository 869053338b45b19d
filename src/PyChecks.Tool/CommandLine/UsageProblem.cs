using System.CommandLine;
using System.CommandLine.Parsing;

namespace PyChecks.Tool.CommandLine;

/// <summary>
/// What is wrong with a command line, in one sentence that names the option or argument at fault: the problem the
/// option's own parser or validator found, or what System.CommandLine's structural errors mean in the tool's words.
/// </summary>
internal static class UsageProblem
{
    /// <summary>The first problem of <paramref name="parse"/>, which has errors.</summary>
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens is [var token, ..])
        {
            if (token.StartsWith('-'))
            {
                return $"unknown option '{token}'";
            }

            if (command.Subcommands.Count > 0)
            {
                return $"unknown command '{token}': the commands are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
            }

            string? given = command.Arguments.Select(a => parse.CommandResult.GetResult(a)).OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value).FirstOrDefault();
            return given is not null && command is ToolCommand { OneAtATime: { } one }
                ? $"{one}: '{given}' and '{token}' were given"
                : $"unexpected argument '{token}'";
        }

        var error = parse.Errors[0];
        return error.SymbolResult switch
        {
            OptionResult { Tokens.Count: 0 } option when option.Option.Arity.MaximumNumberOfValues > 0 => $"{option.Option.Name} needs a value",
            ArgumentResult { Parent: OptionResult option, Tokens.Count: 0 } when option.Option.Arity.MaximumNumberOfValues > 0 => $"{option.Option.Name} needs a value",
            CommandResult { Command.Subcommands.Count: > 0 } when parse.CommandResult.Command == parse.RootCommandResult.Command => "give a command",
            _ => error.Message,
        };
    }
}
