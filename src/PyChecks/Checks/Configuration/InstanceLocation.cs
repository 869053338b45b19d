namespace PyChecks.Checks.Configuration;

/// <summary>
/// Where one instance of a <see cref="CheckConfig"/> read from a file sits: its own position and the
/// position of each of its values, so that <see cref="CheckConfigReader.Resolve"/> can name the line of
/// a bad reserved key long after parsing.
/// </summary>
internal sealed record InstanceLocation(TextPosition Start, IReadOnlyDictionary<string, TextPosition> Values)
{
    /// <summary>The position of the value of <paramref name="key"/>, or of the instance when the key has none.</summary>
    public TextPosition Of(string key) => Values.TryGetValue(key, out var position) ? position : Start;
}
