namespace PyChecks.Checks.Isolation;

/// <summary>
/// The strings one check's stream has sent, each once: a string is written in full the first time (and remembered by
/// both sides under the next id), by its id after that. Past <see cref="MaxEntries"/> new strings are sent in full
/// every time, so that a check submitting ever new names or tags cannot grow either side without bound.
/// </summary>
internal static class StringTable
{
    /// <summary>The most strings one check's table remembers.</summary>
    public const int MaxEntries = 1 << 16;

    /// <summary>Marker: a string follows, remember it under the next id.</summary>
    public const ulong New = 0;

    /// <summary>Marker: a string follows, do not remember it.</summary>
    public const ulong Literal = 1;

    /// <summary>The marker of string id <paramref name="id"/>.</summary>
    public static ulong Reference(int id) => (ulong)id + 2;

    /// <summary>Writes <paramref name="value"/> by reference when <paramref name="sent"/> holds it.</summary>
    public static void Write(FrameWriter writer, Dictionary<string, int> sent, string value)
    {
        if (sent.TryGetValue(value, out int id))
        {
            writer.WriteVarUInt(Reference(id));
        }
        else if (sent.Count < MaxEntries)
        {
            sent.Add(value, sent.Count);
            writer.WriteVarUInt(New);
            writer.WriteString(value);
        }
        else
        {
            writer.WriteVarUInt(Literal);
            writer.WriteString(value);
        }
    }

    /// <summary>Reads a string written by <see cref="Write"/>, with the same table on the receiving side.</summary>
    public static string Read(ref FrameReader reader, List<string> received)
    {
        ulong marker = reader.ReadVarUInt();
        switch (marker)
        {
            case New:
                string value = reader.ReadRequiredString();
                if (received.Count >= MaxEntries)
                {
                    throw new InvalidDataException("a worker sent more strings to remember than the protocol allows");
                }

                received.Add(value);
                return value;
            case Literal:
                return reader.ReadRequiredString();
            default:
                ulong id = marker - 2;
                return id < (ulong)received.Count ? received[(int)id] : throw new InvalidDataException($"a worker referred to string {id}, which it never sent");
        }
    }
}
