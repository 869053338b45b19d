using YamlDotNet.Core;

namespace PyChecks.Checks.Configuration;

/// <summary>A 1-based line and column in a configuration file.</summary>
internal readonly record struct TextPosition(int Line, int Column)
{
    public static TextPosition From(Mark mark) => new((int)mark.Line, (int)mark.Column);
}
