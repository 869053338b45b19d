namespace PyChecks.Checks.Configuration;

/// <summary>
/// One YAML document as plain .NET values (<see cref="YamlComposer"/>), with the position of every mapping value
/// and list item so that errors found after parsing can still name a line.
/// </summary>
internal sealed class ComposedYaml
{
    private readonly IReadOnlyDictionary<object, Positions> _positions;

    private ComposedYaml(bool isEmpty, object? root, TextPosition rootPosition, IReadOnlyDictionary<object, Positions> positions)
    {
        IsEmpty = isEmpty;
        Root = root;
        RootPosition = rootPosition;
        _positions = positions;
    }

    /// <summary>The stream held no document at all (an empty file, or only comments).</summary>
    public bool IsEmpty { get; }

    /// <summary>The document's value: a mapping, a list or a scalar.</summary>
    public object? Root { get; }

    /// <summary>Where the document's value starts.</summary>
    public TextPosition RootPosition { get; }

    public static ComposedYaml Empty { get; } = new(isEmpty: true, null, new TextPosition(1, 1), new Dictionary<object, Positions>());

    public static ComposedYaml Create(object? root, TextPosition rootPosition, IReadOnlyDictionary<object, Positions> positions)
        => new(isEmpty: false, root, rootPosition, positions);

    /// <summary>Where the value of <paramref name="key"/> in <paramref name="mapping"/> starts.</summary>
    public TextPosition ValueOf(object mapping, string key) => _positions[mapping].Values![key];

    /// <summary>Where item <paramref name="index"/> of <paramref name="list"/> starts.</summary>
    public TextPosition ItemOf(object list, int index) => _positions[list].Items![index];

    /// <summary>The positions of every value of <paramref name="mapping"/>, by key.</summary>
    public IReadOnlyDictionary<string, TextPosition> ValuesOf(object mapping) => _positions[mapping].Values!;

    /// <summary>Where each of a container's values (mapping) or items (list) starts.</summary>
    internal sealed record Positions(IReadOnlyDictionary<string, TextPosition>? Values, IReadOnlyList<TextPosition>? Items);
}
