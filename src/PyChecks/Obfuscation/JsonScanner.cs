namespace PyChecks.Obfuscation;

/// <summary>
/// A byte-at-a-time JSON state machine with the states and error messages of Go's <c>encoding/json</c> scanner,
/// which the Agent's JSON obfuscator is built on. The obfuscator's variant reads several top-level values in a row;
/// the strict one (used to validate options) refuses anything after the first.
/// </summary>
internal sealed class JsonScanner(bool multipleValues)
{
    private enum State
    {
        BeginValue, BeginValueOrEmpty, BeginStringOrEmpty, BeginString, EndValue, EndTop,
        InString, InStringEsc, InStringEscU, InStringEscU1, InStringEscU12, InStringEscU123,
        Neg, One, Zero, Dot, Dot0, E, ESign, E0, T, Tr, Tru, F, Fa, Fal, Fals, N, Nu, Nul, Failed,
    }

    private enum Parse
    {
        ObjectKey,
        ObjectValue,
        ArrayValue,
    }

    private readonly List<Parse> _parseState = [];
    private State _step = State.BeginValue;
    private bool _endTop;

    /// <summary>The first syntax error, as Go words it; null while there is none.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads one byte.</summary>
    public JsonScanOp Step(byte c) => _step switch
    {
        State.BeginValue => BeginValue(c),
        State.BeginValueOrEmpty => IsSpace(c) ? JsonScanOp.SkipSpace : c == ']' ? EndValue(c) : BeginValue(c),
        State.BeginStringOrEmpty => BeginStringOrEmpty(c),
        State.BeginString => BeginString(c),
        State.EndValue => EndValue(c),
        State.EndTop => EndTop(c),
        State.InString => InString(c),
        State.InStringEsc => c is (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' or (byte)'\\' or (byte)'/' or (byte)'"'
            ? Go(State.InString)
            : c == 'u' ? Go(State.InStringEscU) : Fail(c, "in string escape code"),
        State.InStringEscU => Hex(c, State.InStringEscU1),
        State.InStringEscU1 => Hex(c, State.InStringEscU12),
        State.InStringEscU12 => Hex(c, State.InStringEscU123),
        State.InStringEscU123 => Hex(c, State.InString),
        State.Neg => c == '0' ? Go(State.Zero) : c is >= (byte)'1' and <= (byte)'9' ? Go(State.One) : Fail(c, "in numeric literal"),
        State.One => c is >= (byte)'0' and <= (byte)'9' ? Go(State.One) : Zero(c),
        State.Zero => Zero(c),
        State.Dot => c is >= (byte)'0' and <= (byte)'9' ? Go(State.Dot0) : Fail(c, "after decimal point in numeric literal"),
        State.Dot0 => c is >= (byte)'0' and <= (byte)'9' ? JsonScanOp.Continue : c is (byte)'e' or (byte)'E' ? Go(State.E) : EndValue(c),
        State.E => c is (byte)'+' or (byte)'-' ? Go(State.ESign) : ESign(c),
        State.ESign => ESign(c),
        State.E0 => c is >= (byte)'0' and <= (byte)'9' ? JsonScanOp.Continue : EndValue(c),
        State.T => Expect(c, 'r', State.Tr, "in literal true (expecting 'r')"),
        State.Tr => Expect(c, 'u', State.Tru, "in literal true (expecting 'u')"),
        State.Tru => Expect(c, 'e', State.EndValue, "in literal true (expecting 'e')"),
        State.F => Expect(c, 'a', State.Fa, "in literal false (expecting 'a')"),
        State.Fa => Expect(c, 'l', State.Fal, "in literal false (expecting 'l')"),
        State.Fal => Expect(c, 's', State.Fals, "in literal false (expecting 's')"),
        State.Fals => Expect(c, 'e', State.EndValue, "in literal false (expecting 'e')"),
        State.N => Expect(c, 'u', State.Nu, "in literal null (expecting 'u')"),
        State.Nu => Expect(c, 'l', State.Nul, "in literal null (expecting 'l')"),
        State.Nul => Expect(c, 'l', State.EndValue, "in literal null (expecting 'l')"),
        _ => JsonScanOp.Error,
    };

    /// <summary>The end of the input: <see cref="JsonScanOp.End"/> when the JSON is complete, else an error.</summary>
    public JsonScanOp Eof()
    {
        if (Error is not null)
        {
            return JsonScanOp.Error;
        }

        if (_endTop)
        {
            return JsonScanOp.End;
        }

        Step((byte)' ');
        if (_endTop)
        {
            return JsonScanOp.End;
        }

        Error ??= "unexpected end of JSON input";
        return JsonScanOp.Error;
    }

    private void Reset()
    {
        _step = State.BeginValue;
        _parseState.Clear();
        _endTop = false;
    }

    private JsonScanOp Go(State next)
    {
        _step = next;
        return JsonScanOp.Continue;
    }

    private JsonScanOp BeginValue(byte c)
    {
        if (IsSpace(c))
        {
            return JsonScanOp.SkipSpace;
        }

        switch (c)
        {
            case (byte)'{':
                _step = State.BeginStringOrEmpty;
                _parseState.Add(Parse.ObjectKey);
                return JsonScanOp.BeginObject;
            case (byte)'[':
                _step = State.BeginValueOrEmpty;
                _parseState.Add(Parse.ArrayValue);
                return JsonScanOp.BeginArray;
            case (byte)'"': return Begin(State.InString);
            case (byte)'-': return Begin(State.Neg);
            case (byte)'0': return Begin(State.Zero);
            case (byte)'t': return Begin(State.T);
            case (byte)'f': return Begin(State.F);
            case (byte)'n': return Begin(State.N);
            case >= (byte)'1' and <= (byte)'9': return Begin(State.One);
            default: return Fail(c, "looking for beginning of value");
        }
    }

    private JsonScanOp Begin(State next)
    {
        _step = next;
        return JsonScanOp.BeginLiteral;
    }

    private JsonScanOp BeginStringOrEmpty(byte c)
    {
        if (IsSpace(c))
        {
            return JsonScanOp.SkipSpace;
        }

        if (c == '}' && _parseState.Count > 0)
        {
            _parseState[^1] = Parse.ObjectValue;
            return EndValue(c);
        }

        return BeginString(c);
    }

    private JsonScanOp BeginString(byte c)
    {
        if (IsSpace(c))
        {
            return JsonScanOp.SkipSpace;
        }

        return c == '"' ? Begin(State.InString) : Fail(c, "looking for beginning of object key string");
    }

    private JsonScanOp EndValue(byte c)
    {
        if (_parseState.Count == 0)
        {
            _step = State.EndTop;
            _endTop = true;
            return EndTop(c);
        }

        if (IsSpace(c))
        {
            _step = State.EndValue;
            return JsonScanOp.SkipSpace;
        }

        switch (_parseState[^1])
        {
            case Parse.ObjectKey:
                if (c == ':')
                {
                    _parseState[^1] = Parse.ObjectValue;
                    _step = State.BeginValue;
                    return JsonScanOp.ObjectKey;
                }

                return Fail(c, "after object key");
            case Parse.ObjectValue:
                if (c == ',')
                {
                    _parseState[^1] = Parse.ObjectKey;
                    _step = State.BeginString;
                    return JsonScanOp.ObjectValue;
                }

                if (c == '}')
                {
                    PopParseState();
                    return JsonScanOp.EndObject;
                }

                return Fail(c, "after object key:value pair");
            default:
                if (c == ',')
                {
                    _step = State.BeginValue;
                    return JsonScanOp.ArrayValue;
                }

                if (c == ']')
                {
                    PopParseState();
                    return JsonScanOp.EndArray;
                }

                return Fail(c, "after array element");
        }
    }

    private JsonScanOp EndTop(byte c)
    {
        if (IsSpace(c))
        {
            return JsonScanOp.End;
        }

        if (!multipleValues)
        {
            return Fail(c, "after top-level value");
        }

        Reset(); // another value follows
        return Step(c);
    }

    private void PopParseState()
    {
        _parseState.RemoveAt(_parseState.Count - 1);
        if (_parseState.Count == 0)
        {
            _step = State.EndTop;
            _endTop = true;
        }
        else
        {
            _step = State.EndValue;
        }
    }

    private JsonScanOp InString(byte c) => c switch
    {
        (byte)'"' => Go(State.EndValue),
        (byte)'\\' => Go(State.InStringEsc),
        < 0x20 => Fail(c, "in string literal"),
        _ => JsonScanOp.Continue,
    };

    private JsonScanOp Hex(byte c, State next) =>
        c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F'
            ? Go(next)
            : Fail(c, "in \\u hexadecimal character escape");

    private JsonScanOp Zero(byte c) => c switch
    {
        (byte)'.' => Go(State.Dot),
        (byte)'e' or (byte)'E' => Go(State.E),
        _ => EndValue(c),
    };

    private JsonScanOp ESign(byte c) => c is >= (byte)'0' and <= (byte)'9' ? Go(State.E0) : Fail(c, "in exponent of numeric literal");

    private JsonScanOp Expect(byte c, char expected, State next, string context) => c == expected ? Go(next) : Fail(c, context);

    private JsonScanOp Fail(byte c, string context)
    {
        _step = State.Failed;
        Error ??= $"invalid character {QuoteChar(c)} {context}";
        return JsonScanOp.Error;
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>A byte for a message, as Go quotes it: <c>'x'</c>, <c>'\n'</c>, <c>'\x00'</c>, <c>'\u0080'</c>…</summary>
    private static string QuoteChar(byte c) => c switch
    {
        (byte)'\'' => "'\\''",
        (byte)'"' => "'\"'",
        (byte)'\a' => "'\\a'",
        (byte)'\b' => "'\\b'",
        (byte)'\f' => "'\\f'",
        (byte)'\n' => "'\\n'",
        (byte)'\r' => "'\\r'",
        (byte)'\t' => "'\\t'",
        (byte)'\v' => "'\\v'",
        (byte)'\\' => "'\\\\'",
        < 0x20 or 0x7F => $"'\\x{c:x2}'",
        (>= 0x80 and <= 0xA0) or 0xAD => $"'\\u{c:x4}'",
        _ => $"'{(char)c}'",
    };
}
