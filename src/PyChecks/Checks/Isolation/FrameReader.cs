using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// Reads the fields of one received frame (see <see cref="FrameWriter"/>). A frame that ends early or holds a value
/// that makes no sense is a <see cref="InvalidDataException"/>: the other side is not speaking the protocol, and the
/// connection is dropped.
/// </summary>
internal ref struct FrameReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _position;

    /// <summary>Whether every byte was read.</summary>
    public readonly bool AtEnd => _position == _payload.Length;

    public byte ReadByte()
    {
        if (_position >= _payload.Length)
        {
            throw Truncated();
        }

        return _payload[_position++];
    }

    public bool ReadBool() => ReadByte() != 0;

    public ulong ReadVarUInt()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a variable-length integer in a worker frame is longer than 64 bits");
    }

    public long ReadVarInt()
    {
        ulong raw = ReadVarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int ReadCount()
    {
        ulong count = ReadVarUInt();
        return count > (ulong)(_payload.Length - _position) ? throw new InvalidDataException($"a worker frame announces {count} items but holds {_payload.Length - _position} more bytes") : (int)count;
    }

    public double ReadDouble()
    {
        if (_position + 8 > _payload.Length)
        {
            throw Truncated();
        }

        double value = BinaryPrimitives.ReadDoubleLittleEndian(_payload[_position..]);
        _position += 8;
        return value;
    }

    public string? ReadString()
    {
        ulong marker = ReadVarUInt();
        if (marker == 0)
        {
            return null;
        }

        var bytes = Take(marker - 1);
        return Encoding.UTF8.GetString(bytes);
    }

    public string ReadRequiredString() => ReadString() ?? throw new InvalidDataException("a worker frame holds no string where one is required");

    public byte[] ReadBytes() => Take(ReadVarUInt()).ToArray();

    public string[] ReadStrings()
    {
        string[] values = new string[ReadCount()];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ReadRequiredString();
        }

        return values;
    }

    public Dictionary<string, string> ReadStringMap()
    {
        int count = ReadCount();
        var values = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            values[ReadRequiredString()] = ReadRequiredString();
        }

        return values;
    }

    public object? ReadValue(int depth = 0)
    {
        if (depth > 256)
        {
            throw new InvalidDataException("a configuration value in a worker frame is nested more than 256 levels deep");
        }

        var tag = (ValueTag)ReadByte();
        switch (tag)
        {
            case ValueTag.Null:
                return null;
            case ValueTag.False:
                return false;
            case ValueTag.True:
                return true;
            case ValueTag.Integer:
                return ReadVarInt();
            case ValueTag.BigInteger:
                return BigInteger.Parse(ReadRequiredString(), CultureInfo.InvariantCulture);
            case ValueTag.Double:
                return ReadDouble();
            case ValueTag.String:
                return ReadRequiredString();
            case ValueTag.List:
                int count = ReadCount();
                var list = new List<object?>(count);
                for (int i = 0; i < count; i++)
                {
                    list.Add(ReadValue(depth + 1));
                }

                return list;
            case ValueTag.Map:
                int entries = ReadCount();
                var map = new Dictionary<string, object?>(entries, StringComparer.Ordinal);
                for (int i = 0; i < entries; i++)
                {
                    object? key = ReadValue(depth + 1);
                    map[key as string ?? Convert.ToString(key, CultureInfo.InvariantCulture) ?? "None"] = ReadValue(depth + 1);
                }

                return map;
            default:
                throw new InvalidDataException($"unknown value tag {(byte)tag} in a worker frame");
        }
    }

    public Dictionary<string, object?> ReadMap()
    {
        int count = ReadCount();
        var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            map[ReadRequiredString()] = ReadValue();
        }

        return map;
    }

    private ReadOnlySpan<byte> Take(ulong count)
    {
        if (count > (ulong)(_payload.Length - _position))
        {
            throw Truncated();
        }

        var bytes = _payload.Slice(_position, (int)count);
        _position += (int)count;
        return bytes;
    }

    private static InvalidDataException Truncated() => new("a worker frame ends before its last field");
}
