using System.Buffers;
using System.Globalization;
using System.Text;

namespace PyChecks.Obfuscation;

/// <summary>Reading the input: characters, positions, errors and the character classes of the tokenizer.</summary>
internal sealed partial class SqlTokenizer
{
    /// <summary>Reads the next character into <see cref="_lastChar"/>; at the end or on invalid UTF-8 it is <c>EndChar</c>.</summary>
    private void Advance()
    {
        var status = Rune.DecodeFromUtf8(_data.AsSpan(_off), out var rune, out int length);
        if (status != OperationStatus.Done)
        {
            _pos++;
            _lastChar = EndChar;
            if (_off < _data.Length)
            {
                SetError($"invalid UTF-8 encoding beginning with 0x{_data[_off]:x}");
            }

            return;
        }

        if (_lastChar != 0 || _pos > 0)
        {
            _pos += length; // past the first character
        }

        _off += length;
        _lastChar = rune.Value;
    }

    /// <summary>The bytes read since the last call, but for the last character read, which begins the next token.</summary>
    private ReadOnlyMemory<byte> Bytes()
    {
        int end = _lastChar == EndChar ? _off : _off - RuneLength(_lastChar);
        end = Math.Max(end, _start);
        var result = _data.AsMemory(_start, end - _start);
        _start = end;
        return result;
    }

    private void SetError(string message)
    {
        Error ??= $"at position {_pos}: {message}";
    }

    private static int RuneLength(int ch) => ch switch
    {
        < 0x80 => 1,
        < 0x800 => 2,
        < 0x10000 => 3,
        _ => 4,
    };

    private static void WriteRune(ArrayBufferWriter<byte> buffer, int ch)
    {
        var rune = Rune.IsValid(ch) ? new Rune(ch) : Rune.ReplacementChar;
        int length = rune.EncodeToUtf8(buffer.GetSpan(4));
        buffer.Advance(length);
    }

    /// <summary>A character for a message, as Go's <c>%c</c> prints it (U+FFFD when it is none).</summary>
    private static string Char(int ch) => Rune.IsValid(ch) ? new Rune(ch).ToString() : "\uFFFD";

    private static bool IsBlank(ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(text, out var rune, out int length) != OperationStatus.Done || !Rune.IsWhiteSpace(rune))
            {
                return false;
            }

            text = text[length..];
        }

        return true;
    }

    internal static bool IsSpace(int ch) => Rune.IsValid(ch) && Rune.IsWhiteSpace(new Rune(ch));

    private static bool IsLeadingLetter(int ch) => ch is '_' or '@' || (Rune.IsValid(ch) && Rune.IsLetter(new Rune(ch)));

    private static bool IsLetter(int ch) => ch == '#' || IsLeadingLetter(ch);

    internal static bool IsDigit(int ch) => ch is >= '0' and <= '9';

    private static int DigitValue(int ch) => ch switch
    {
        >= '0' and <= '9' => ch - '0',
        >= 'a' and <= 'f' => ch - 'a' + 10,
        >= 'A' and <= 'F' => ch - 'A' + 10,
        _ => 16,
    };

    private static bool IsValidCharAfterOperator(int ch) =>
        ch is '(' or '`' or '\'' or '"' or '+' or '-' || IsSpace(ch) || IsLetter(ch) || IsDigit(ch);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
