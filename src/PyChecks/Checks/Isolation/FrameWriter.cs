using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// Builds the frames of the worker protocol: a 4-byte little-endian length of what follows, a message type byte, then
/// the message's fields as variable-length integers, doubles, length-prefixed UTF-8 strings and tagged values. One
/// writer builds one frame at a time and is reused; it is not thread-safe.
/// </summary>
internal sealed class FrameWriter
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public FrameWriter(int capacity = 256) => _buffer = new byte[capacity];

    /// <summary>The bytes written so far, whole frames only once each is ended.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>How many bytes are written.</summary>
    public int Length => _length;

    /// <summary>Forgets what was written.</summary>
    public void Clear()
    {
        _length = 0;
        _frameStart = -1;
    }

    /// <summary>Starts a frame of <paramref name="type"/>; <see cref="EndFrame"/> writes its length.</summary>
    public void BeginFrame(MessageType type)
    {
        if (_frameStart >= 0)
        {
            throw new InvalidOperationException("a frame is already open");
        }

        _frameStart = _length;
        Reserve(5);
        _length += 4;
        _buffer[_length++] = (byte)type;
    }

    /// <summary>Ends the open frame.</summary>
    public void EndFrame()
    {
        if (_frameStart < 0)
        {
            throw new InvalidOperationException("no frame is open");
        }

        int payload = _length - _frameStart - 4;
        if (payload > WorkerProtocol.MaxFrameBytes)
        {
            throw new InvalidOperationException($"a frame of {payload} bytes is larger than the protocol's limit of {WorkerProtocol.MaxFrameBytes}");
        }

        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_frameStart), payload);
        _frameStart = -1;
    }

    public void WriteByte(byte value)
    {
        Reserve(1);
        _buffer[_length++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>An unsigned integer in 7-bit groups, low group first.</summary>
    public void WriteVarUInt(ulong value)
    {
        Reserve(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    /// <summary>A signed integer, zigzag-encoded so that small negative numbers stay short.</summary>
    public void WriteVarInt(long value) => WriteVarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void WriteDouble(double value)
    {
        Reserve(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>A string as its UTF-8 length plus one (0 for <see langword="null"/>), then its bytes.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteVarUInt(0);
            return;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Reserve(max + 5);
        int count = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt((ulong)count + 1);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt((ulong)value.Length);
        Reserve(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Bytes as they are, without a length (a record already encoded).</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        Reserve(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    public void WriteStrings(IReadOnlyList<string> values)
    {
        WriteVarUInt((ulong)values.Count);
        foreach (string value in values)
        {
            WriteString(value);
        }
    }

    public void WriteStringMap(IReadOnlyDictionary<string, string> values)
    {
        WriteVarUInt((ulong)values.Count);
        foreach (var (key, value) in values)
        {
            WriteString(key);
            WriteString(value);
        }
    }

    /// <summary>
    /// A configuration value: <see langword="null"/>, a bool, an integer (any size), a number, a string, a list or a
    /// mapping of them, as YAML and the options give them. Anything else is an <see cref="ArgumentException"/> naming
    /// <paramref name="where"/>.
    /// </summary>
    public void WriteValue(object? value, string where)
    {
        switch (value)
        {
            case null:
                WriteByte((byte)ValueTag.Null);
                break;
            case bool flag:
                WriteByte(flag ? (byte)ValueTag.True : (byte)ValueTag.False);
                break;
            case string text:
                WriteByte((byte)ValueTag.String);
                WriteString(text);
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                WriteByte((byte)ValueTag.Integer);
                WriteVarInt(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ulong big:
                WriteByte((byte)ValueTag.BigInteger);
                WriteString(big.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case BigInteger big:
                WriteByte((byte)ValueTag.BigInteger);
                WriteString(big.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                WriteByte((byte)ValueTag.Double);
                WriteDouble(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IDictionary map:
                WriteByte((byte)ValueTag.Map);
                WriteVarUInt((ulong)map.Count);
                foreach (DictionaryEntry entry in map)
                {
                    WriteValue(entry.Key, where);
                    WriteValue(entry.Value, where);
                }

                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                var list = pairs.ToList();
                WriteByte((byte)ValueTag.Map);
                WriteVarUInt((ulong)list.Count);
                foreach (var (key, item) in list)
                {
                    WriteValue(key, where);
                    WriteValue(item, where);
                }

                break;
            case IEnumerable items:
                var all = items.Cast<object?>().ToList();
                WriteByte((byte)ValueTag.List);
                WriteVarUInt((ulong)all.Count);
                foreach (object? item in all)
                {
                    WriteValue(item, where);
                }

                break;
            default:
                throw new ArgumentException($"{where} holds a {value.GetType().Name}, which cannot be handed to a worker process (only null, bool, integers, numbers, strings, lists and mappings can)");
        }
    }

    /// <summary>A mapping with string keys (configuration sections).</summary>
    public void WriteMap(IReadOnlyDictionary<string, object?> values, string where)
    {
        WriteVarUInt((ulong)values.Count);
        foreach (var (key, value) in values)
        {
            WriteString(key);
            WriteValue(value, $"{where}['{key}']");
        }
    }

    private void Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}
