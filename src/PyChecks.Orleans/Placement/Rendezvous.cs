namespace PyChecks.Orleans.Placement;

/// <summary>
/// Rendezvous (highest random weight) hashing of check ids over hosts: each instance goes to the host with the highest
/// score for it. Every host computes the same answer from the same membership, shares are even (within the spread of a
/// random draw), and a host joining or leaving moves only the instances that go to it or came from it.
/// </summary>
internal static class Rendezvous
{
    /// <summary>The index in <paramref name="hosts"/> of the host that <paramref name="key"/> goes to; -1 when there is none.</summary>
    public static int Pick(string key, IReadOnlyList<string> hosts)
    {
        ulong keyHash = Hash(key);
        int best = -1;
        ulong bestScore = 0;
        for (int i = 0; i < hosts.Count; i++)
        {
            ulong score = Mix(keyHash ^ Mix(Hash(hosts[i])));
            if (best < 0 || score > bestScore)
            {
                (best, bestScore) = (i, score);
            }
        }

        return best;
    }

    /// <summary>A stable 64-bit hash of a string (FNV-1a over its UTF-16 code units, then mixed): the same in every process.</summary>
    public static ulong Hash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return Mix(hash);
    }

    // SplitMix64's finalizer: spreads FNV's clustered low bits over the whole word.
    private static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}
