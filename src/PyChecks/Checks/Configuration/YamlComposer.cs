using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PyChecks.Checks.Configuration;

/// <summary>
/// Builds a <see cref="ComposedYaml"/> from YamlDotNet's parser events: mappings become
/// <c>Dictionary&lt;string, object?&gt;</c>, sequences <c>List&lt;object?&gt;</c>, scalars are typed by
/// <see cref="YamlScalarTyping"/>; anchors, aliases and <c>&lt;&lt;</c> merge keys work as in PyYAML.
/// Composed from events rather than YamlDotNet's representation model because that model reports an unknown
/// alias at the document start, recurses forever on a node that aliases itself, and has no merge keys.
/// Every problem is a <see cref="YamlException"/> with the position of the offending node.
/// </summary>
internal sealed class YamlComposer
{
    // A configuration is a few levels deep; the limits keep a hostile or broken file from exhausting the stack
    // (deep nesting) or memory (a "billion laughs" of aliases expanded by whoever walks the values later).
    internal const int MaxDepth = 200;
    internal const long MaxExpandedNodes = 1_000_000;

    private const string CoreTag = "tag:yaml.org,2002:";

    private readonly Parser _parser;
    private readonly Dictionary<string, Composed?> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<object, ComposedYaml.Positions> _positions = new(ReferenceEqualityComparer.Instance);
    private Mark _lastEnd = new(0, 1, 1);

    private YamlComposer(string text) => _parser = new Parser(new StringReader(text));

    /// <summary>Composes the single document of <paramref name="text"/>; throws <see cref="YamlException"/>.</summary>
    public static ComposedYaml Compose(string text) => new YamlComposer(text).ComposeDocument();

    private ParsingEvent Current => _parser.Current ?? throw new YamlException(_lastEnd, _lastEnd, "unexpected end of the YAML stream");

    private ComposedYaml ComposeDocument()
    {
        Advance();
        Take<StreamStart>();
        if (Current is StreamEnd)
        {
            return ComposedYaml.Empty;
        }

        Take<DocumentStart>();
        var rootPosition = TextPosition.From(Current.Start);
        var root = ReadNode(depth: 0);
        Take<DocumentEnd>();
        if (Current is DocumentStart second)
        {
            throw new YamlException(second.Start, second.End, "the file holds more than one YAML document ('---'); a check configuration is a single document");
        }

        return ComposedYaml.Create(root.Value, rootPosition, _positions);
    }

    private Composed ReadNode(int depth)
    {
        var node = Take<ParsingEvent>();
        switch (node)
        {
            case AnchorAlias alias:
                return Dereference(alias);
            case Scalar scalar:
                var composed = new Composed(YamlScalarTyping.Resolve(scalar), 1, scalar.Value);
                Define(scalar.Anchor, composed);
                return composed;
            case SequenceStart sequence:
                return ReadSequence(sequence, depth);
            case MappingStart mapping:
                return ReadMapping(mapping, depth);
            default:
                throw new YamlException(node.Start, node.End, $"unexpected {node.GetType().Name} in the YAML stream");
        }
    }

    private Composed ReadSequence(SequenceStart start, int depth)
    {
        EnterContainer(start, depth, "seq");
        var list = new List<object?>();
        var items = new List<TextPosition>();
        long size = 1;
        while (Current is not SequenceEnd)
        {
            var itemStart = Current.Start;
            var item = ReadNode(depth + 1);
            list.Add(item.Value);
            items.Add(TextPosition.From(itemStart));
            size = Grow(size, item.Size, itemStart);
        }

        Take<SequenceEnd>();
        _positions[list] = new ComposedYaml.Positions(Values: null, items);
        var composed = new Composed(list, size, ScalarText: null);
        Define(start.Anchor, composed);
        return composed;
    }

    private Composed ReadMapping(MappingStart start, int depth)
    {
        EnterContainer(start, depth, "map");
        var entries = new Dictionary<string, object?>(StringComparer.Ordinal);
        var values = new Dictionary<string, TextPosition>(StringComparer.Ordinal);
        var keys = new Dictionary<string, TextPosition>(StringComparer.Ordinal);
        var merged = new List<Dictionary<string, object?>>();
        long size = 1;
        while (Current is not MappingEnd)
        {
            var keyEvent = Current;
            string key = ReadKey(depth);
            var valueStart = Current.Start;
            var value = ReadNode(depth + 1);
            size = Grow(size, value.Size, valueStart);
            if (keyEvent is Scalar { Value: "<<", Style: ScalarStyle.Plain, Tag.IsEmpty: true })
            {
                merged.AddRange(MergeSources(value.Value, keyEvent));
                continue;
            }

            if (!keys.TryAdd(key, TextPosition.From(keyEvent.Start)))
            {
                throw new YamlException(keyEvent.Start, keyEvent.End, $"duplicate key '{key}' (first at line {keys[key].Line})");
            }

            entries.Add(key, value.Value);
            values.Add(key, TextPosition.From(valueStart));
        }

        Take<MappingEnd>();
        var mapping = merged.Count == 0 ? entries : Merge(merged, entries, values);
        _positions[mapping] = new ComposedYaml.Positions(values, Items: null);
        var composed = new Composed(mapping, size, ScalarText: null);
        Define(start.Anchor, composed);
        return composed;
    }

    /// <summary>A key is its scalar's text as written: PyChecks mappings are keyed by strings.</summary>
    private string ReadKey(int depth)
    {
        var keyEvent = Current;
        if (keyEvent is not (Scalar or AnchorAlias))
        {
            throw new YamlException(keyEvent.Start, keyEvent.End, "a mapping key must be a scalar, not a list or a mapping");
        }

        return ReadNode(depth + 1).ScalarText
            ?? throw new YamlException(keyEvent.Start, keyEvent.End, "a mapping key must be a scalar; this alias names a list or a mapping");
    }

    private static IEnumerable<Dictionary<string, object?>> MergeSources(object? value, ParsingEvent mergeKey)
    {
        switch (value)
        {
            case Dictionary<string, object?> one:
                return [one];
            case List<object?> many when many.TrueForAll(item => item is Dictionary<string, object?>):
                return many.Cast<Dictionary<string, object?>>();
            default:
                throw new YamlException(mergeKey.Start, mergeKey.End, "the merge key '<<' needs a mapping or a list of mappings");
        }
    }

    // As in PyYAML: keys written in the mapping win over merged ones, and earlier merge sources over later ones.
    private Dictionary<string, object?> Merge(List<Dictionary<string, object?>> sources, Dictionary<string, object?> entries, Dictionary<string, TextPosition> values)
    {
        var mapping = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var sourceValues = _positions[source].Values!;
            foreach (var (key, value) in source)
            {
                if (!entries.ContainsKey(key) && mapping.TryAdd(key, value))
                {
                    values[key] = sourceValues[key];
                }
            }
        }

        foreach (var (key, value) in entries)
        {
            mapping[key] = value;
        }

        return mapping;
    }

    private Composed Dereference(AnchorAlias alias)
    {
        if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
        {
            throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' names no anchor defined before it");
        }

        return anchored ?? throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' is inside the node it names; recursive structures are not supported");
    }

    private void EnterContainer(NodeEvent start, int depth, string coreType)
    {
        if (depth >= MaxDepth)
        {
            throw new YamlException(start.Start, start.End, $"the YAML nests deeper than {MaxDepth} levels");
        }

        if (!start.Tag.IsEmpty && !start.Tag.IsNonSpecific && start.Tag.Value != CoreTag + coreType)
        {
            throw new YamlException(start.Start, start.End, $"unsupported tag '{start.Tag.Value}'; configuration values are strings, numbers, booleans, null, lists and mappings");
        }

        // Marks the anchor as being composed, so that an alias to it from inside is caught as recursion.
        if (!start.Anchor.IsEmpty)
        {
            _anchors[start.Anchor.Value] = null;
        }
    }

    private void Define(AnchorName anchor, Composed composed)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = composed;
        }
    }

    private static long Grow(long size, long added, Mark at)
    {
        long total = size + added;
        return total <= MaxExpandedNodes ? total
            : throw new YamlException(at, at, $"the YAML expands to more than 1,000,000 values through aliases");
    }

    private T Take<T>()
        where T : ParsingEvent
    {
        var current = Current as T ?? throw new YamlException(Current.Start, Current.End, $"expected {typeof(T).Name}, found {Current.GetType().Name}");
        _lastEnd = current.End;
        Advance();
        return current;
    }

    private void Advance()
    {
        try
        {
            _parser.MoveNext();
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 16 fails this way (instead of with a YamlException) on some unterminated flow collections.
            throw new YamlException(_lastEnd, _lastEnd, "the YAML is malformed after this point; look for an unclosed '[', '{' or quote", e);
        }
    }

    /// <summary>A composed node: its value, how many values it expands to, and its text when it is a scalar.</summary>
    private readonly record struct Composed(object? Value, long Size, string? ScalarText);
}
