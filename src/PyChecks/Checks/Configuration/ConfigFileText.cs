using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace PyChecks.Checks.Configuration;

/// <summary>
/// The text of a YAML configuration file, read within a size limit and decoded strictly. YAML 1.2's encodings are
/// accepted: UTF-8 with or without a byte-order mark, and UTF-16 and UTF-32 (either byte order) recognised by their
/// byte-order mark or, without one, by the zero bytes around a first ASCII character, as YAML 1.2 §5.2 describes.
/// Bytes that are not valid in the file's encoding are an error with line and column, never a silent U+FFFD.
/// </summary>
internal static class ConfigFileText
{
    private const string LimitOption = "PyChecksOptions.MaxConfigFileBytes";

    /// <summary>Reads and decodes <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes the file may hold; a larger file is refused before it is read.</param>
    /// <param name="what">What the file is, for the message of a file that cannot be read (e.g. "the file").</param>
    /// <exception cref="CheckConfigurationException">The file cannot be read, is larger than <paramref name="maxBytes"/>, or is not validly encoded.</exception>
    public static string Read(string path, long maxBytes, string what = "the file")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, Array.MaxLength - 1);
        byte[] buffer;
        int length;
        try
        {
            (buffer, length) = ReadBytes(path, (int)maxBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckConfigurationException(path, null, null, $"cannot read {what}: {e.Message}", e);
        }

        return Decode(path, buffer.AsSpan(0, length));
    }

    /// <summary>Decodes the bytes of a YAML file; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="CheckConfigurationException">The bytes are not valid in the encoding they announce.</exception>
    internal static string Decode(string path, ReadOnlySpan<byte> bytes)
    {
        // YAML 1.2 §5.2: a byte-order mark names the encoding; without one, the zeros around a first ASCII character do.
        return bytes switch
        {
            [0x00, 0x00, 0xFE, 0xFF, ..] => DecodeUtf32(path, bytes[4..], bigEndian: true),
            [0x00, 0x00, 0x00, not 0x00, ..] => DecodeUtf32(path, bytes, bigEndian: true),
            [0xFF, 0xFE, 0x00, 0x00, ..] => DecodeUtf32(path, bytes[4..], bigEndian: false),
            [not 0x00, 0x00, 0x00, 0x00, ..] => DecodeUtf32(path, bytes, bigEndian: false),
            [0xFE, 0xFF, ..] => DecodeUtf16(path, bytes[2..], bigEndian: true),
            [0x00, not 0x00, ..] => DecodeUtf16(path, bytes, bigEndian: true),
            [0xFF, 0xFE, ..] => DecodeUtf16(path, bytes[2..], bigEndian: false),
            [not 0x00, 0x00, ..] => DecodeUtf16(path, bytes, bigEndian: false),
            [0xEF, 0xBB, 0xBF, ..] => DecodeUtf8(path, bytes[3..]),
            _ => DecodeUtf8(path, bytes),
        };
    }

    private static (byte[] Buffer, int Length) ReadBytes(string path, int maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);

        // Refused before a byte is read when its size says so; a pipe or a device has no size, and a file may grow
        // while it is read, so the reading below stops one byte past the limit as well.
        long size = stream.CanSeek ? stream.Length : -1;
        if (size > maxBytes)
        {
            throw TooLarge(path, string.Create(CultureInfo.InvariantCulture, $"{size} bytes"), maxBytes);
        }

        byte[] buffer = new byte[Math.Min(Math.Max(size + 1, 4096), maxBytes + 1L)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes)
                {
                    throw TooLarge(path, string.Create(CultureInfo.InvariantCulture, $"more than {maxBytes} bytes as read (more than its size said when it was opened)"), maxBytes);
                }

                Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, maxBytes + 1L));
            }

            int read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                return (buffer, length);
            }

            length += read;
        }
    }

    private static CheckConfigurationException TooLarge(string path, string size, int maxBytes)
        => new(path, null, null, string.Create(
            CultureInfo.InvariantCulture,
            $"the file is {size}, over the limit of {maxBytes} bytes for a configuration file ({LimitOption}); raise the limit if the file is meant to be this large"));

    private static string DecodeUtf8(string path, ReadOnlySpan<byte> bytes)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false, isFinalBlock: true);
            if (status == OperationStatus.Done)
            {
                return new string(chars, 0, written);
            }

            // Everything before `read` decoded: the line is its line feeds, the column the characters since the last one.
            var before = bytes[..read];
            int lineStart = before.LastIndexOf((byte)'\n') + 1;
            int line = before.Count((byte)'\n') + 1;
            int column = CountUtf8Characters(before[lineStart..]) + 1;
            var bad = bytes[read..Math.Min(read + 4, bytes.Length)];
            bool truncated = Utf8.ToUtf16(bytes[read..], chars, out _, out _, replaceInvalidSequences: false, isFinalBlock: false) == OperationStatus.NeedMoreData;
            string problem = truncated
                ? $"invalid UTF-8: the file ends in the middle of a character ({Hex(bad)})"
                : $"invalid UTF-8: {Hex(bad[..1])} (in {Hex(bad)}) does not form a character";
            throw new CheckConfigurationException(path, line, column, $"{problem}; YAML files are read as UTF-8, so save this one as UTF-8 (or UTF-16 with a byte-order mark)");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static int CountUtf8Characters(ReadOnlySpan<byte> valid)
    {
        int count = 0;
        foreach (byte b in valid)
        {
            // Continuation bytes (10xxxxxx) belong to the character before them.
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }

    private static string DecodeUtf16(string path, ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        string encoding = bigEndian ? "UTF-16BE" : "UTF-16LE";
        var text = new StringBuilder(bytes.Length / 2);
        var position = new Position();
        int i = 0;
        for (; i + 1 < bytes.Length; i += 2)
        {
            char unit = (char)(bigEndian ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8));
            if (char.IsHighSurrogate(unit))
            {
                char low = i + 3 < bytes.Length ? (char)(bigEndian ? (bytes[i + 2] << 8) | bytes[i + 3] : bytes[i + 2] | (bytes[i + 3] << 8)) : '\0';
                if (!char.IsLowSurrogate(low))
                {
                    throw position.Error(path, $"invalid {encoding}: the high surrogate U+{(int)unit:X4} is not followed by a low surrogate");
                }

                text.Append(unit).Append(low);
                i += 2;
                position.Advance(unit);
                continue;
            }

            if (char.IsLowSurrogate(unit))
            {
                throw position.Error(path, $"invalid {encoding}: the low surrogate U+{(int)unit:X4} has no high surrogate before it");
            }

            text.Append(unit);
            position.Advance(unit);
        }

        if (i < bytes.Length)
        {
            throw position.Error(path, $"invalid {encoding}: the file ends with half a character (an odd number of bytes)");
        }

        return text.ToString();
    }

    private static string DecodeUtf32(string path, ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        string encoding = bigEndian ? "UTF-32BE" : "UTF-32LE";
        var text = new StringBuilder(bytes.Length / 4);
        var position = new Position();
        int i = 0;
        for (; i + 3 < bytes.Length; i += 4)
        {
            uint value = bigEndian
                ? (uint)((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3])
                : (uint)(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
            if (!Rune.TryCreate(value, out var rune))
            {
                throw position.Error(path, string.Create(CultureInfo.InvariantCulture, $"invalid {encoding}: 0x{value:X8} is not a Unicode character"));
            }

            text.Append(rune.ToString());
            position.Advance(rune.Value == '\n' ? '\n' : 'x');
        }

        if (i < bytes.Length)
        {
            throw position.Error(path, $"invalid {encoding}: the file ends with part of a character (its size is not a multiple of 4 bytes)");
        }

        return text.ToString();
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
        => string.Join(' ', bytes.ToArray().Select(static b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)));

    /// <summary>The 1-based line and column of the next character, for decoders that go one character at a time.</summary>
    private sealed class Position
    {
        private int _line = 1;
        private int _column = 1;

        public void Advance(char first)
        {
            if (first == '\n')
            {
                _line++;
                _column = 1;
            }
            else
            {
                _column++;
            }
        }

        public CheckConfigurationException Error(string path, string problem)
            => new(path, _line, _column, $"{problem}; save the file as UTF-8");
    }
}
