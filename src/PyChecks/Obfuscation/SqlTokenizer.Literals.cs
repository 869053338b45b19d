using System.Buffers;

namespace PyChecks.Obfuscation;

/// <summary>The literals: numbers, quoted strings and identifiers, dollar-quoted strings and comments.</summary>
internal sealed partial class SqlTokenizer
{
    private void ScanMantissa(int radix)
    {
        while (DigitValue(_lastChar) < radix)
        {
            Advance();
        }
    }

    private SqlTokenKind ScanNumber(bool seenDecimalPoint, out ReadOnlyMemory<byte> text)
    {
        if (seenDecimalPoint)
        {
            ScanMantissa(10);
            goto Exponent;
        }

        if (_lastChar == '0')
        {
            Advance();
            if (_lastChar is 'x' or 'X')
            {
                Advance();
                ScanMantissa(16);
            }
            else
            {
                ScanMantissa(8); // octal, or a float starting with 0
                if (_lastChar is '8' or '9')
                {
                    ScanMantissa(10);
                }

                if (_lastChar is '.' or 'e' or 'E')
                {
                    goto Fraction;
                }
            }

            goto Exit;
        }

        ScanMantissa(10);

    Fraction:
        if (_lastChar == '.')
        {
            Advance();
            ScanMantissa(10);
        }

    Exponent:
        if (_lastChar is 'e' or 'E')
        {
            Advance();
            if (_lastChar is '+' or '-')
            {
                Advance();
            }

            ScanMantissa(10);
        }

    Exit:
        text = Bytes();
        if (text.Length == 0)
        {
            SetError("Parse error: ended up with zero-length number.");
            text = default;
            return SqlTokenKind.LexError;
        }

        return SqlTokenKind.Number;
    }

    private SqlTokenKind ScanString(int delimiter, SqlTokenKind kind, out ReadOnlyMemory<byte> text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            int ch = _lastChar;
            Advance();
            if (ch == delimiter)
            {
                if (_lastChar != delimiter)
                {
                    break; // a single delimiter ends the string
                }

                Advance(); // a doubled delimiter stands for itself
            }
            else if (ch == EscapeCharacter)
            {
                SeenEscape = true;
                if (!_literalEscapes)
                {
                    ch = _lastChar;
                    Advance();
                }
            }

            if (ch == EndChar)
            {
                SetError("unexpected EOF in string");
                text = buffer.WrittenMemory;
                return SqlTokenKind.LexError;
            }

            WriteRune(buffer, ch);
        }

        if (IsBlank(buffer.WrittenSpan))
        {
            // An empty or blank identifier keeps its delimiters, so that the query stays valid.
            var delimiters = new ArrayBufferWriter<byte>();
            WriteRune(delimiters, delimiter);
            WriteRune(delimiters, delimiter);
            text = delimiters.WrittenMemory;
            return kind;
        }

        text = buffer.WrittenMemory;
        return kind;
    }

    private SqlTokenKind ScanDollarQuotedString(out ReadOnlyMemory<byte> text)
    {
        if (ScanString('$', SqlTokenKind.String, out var tag) == SqlTokenKind.LexError)
        {
            text = Bytes();
            return SqlTokenKind.LexError;
        }

        // An empty tag comes back as its delimiters, "$$"; any other tag is written $tag$.
        byte[] delimiter = tag.Span.SequenceEqual("$$"u8) ? tag.ToArray() : [(byte)'$', .. tag.Span, (byte)'$'];
        var buffer = new ArrayBufferWriter<byte>();
        int matched = 0;
        while (true)
        {
            int ch = _lastChar;
            Advance();
            if (ch == EndChar)
            {
                SetError("unexpected EOF in dollar-quoted string");
                text = buffer.WrittenMemory;
                return SqlTokenKind.LexError;
            }

            if ((byte)ch == delimiter[matched])
            {
                // Compared as the Agent compares it: the character truncated to a byte.
                if (++matched == delimiter.Length)
                {
                    break;
                }

                continue;
            }

            if (matched > 0)
            {
                buffer.Write(delimiter.AsSpan(0, matched));
                matched = 0;
            }

            WriteRune(buffer, ch);
        }

        text = buffer.WrittenMemory;
        return Options.DollarQuotedFunc && delimiter.AsSpan().SequenceEqual("$func$"u8) ? SqlTokenKind.DollarQuotedFunc : SqlTokenKind.DollarQuotedString;
    }

    private SqlTokenKind ScanCommentType1(out ReadOnlyMemory<byte> text)
    {
        while (_lastChar != EndChar)
        {
            if (_lastChar == '\n')
            {
                Advance();
                break;
            }

            Advance();
        }

        text = Bytes();
        return SqlTokenKind.Comment;
    }

    private SqlTokenKind ScanCommentType2(out ReadOnlyMemory<byte> text)
    {
        while (true)
        {
            if (_lastChar == '*')
            {
                Advance();
                if (_lastChar == '/')
                {
                    Advance();
                    break;
                }

                continue;
            }

            if (_lastChar == EndChar)
            {
                return Fail("unexpected EOF in comment", out text);
            }

            Advance();
        }

        text = Bytes();
        return SqlTokenKind.Comment;
    }
}
