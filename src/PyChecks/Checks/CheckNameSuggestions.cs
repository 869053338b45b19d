namespace PyChecks;

/// <summary>
/// "Did you mean": the known check names close to a name that matched none, for messages about a misspelled check.
/// </summary>
public static class CheckNameSuggestions
{
    /// <summary>The most names suggested at once.</summary>
    private const int MaxSuggestions = 3;

    /// <summary>
    /// The names of <paramref name="knownNames"/> within a few edits of <paramref name="name"/> (a letter added, removed,
    /// replaced, or two neighbours swapped, ignoring case): one edit for names of up to 5 characters, two up to 9, three
    /// beyond. Closest first, then in ordinal order; at most three; never <paramref name="name"/> itself.
    /// </summary>
    /// <param name="name">The name that matched no check.</param>
    /// <param name="knownNames">The names that exist.</param>
    /// <returns>The close names; empty when none is close.</returns>
    public static IReadOnlyList<string> For(string name, IEnumerable<string> knownNames)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(knownNames);
        int allowed = Math.Min(3, (name.Length + 2) / 4);
        if (allowed == 0)
        {
            return [];
        }

        return [.. knownNames
            .Where(known => known is not null && !string.Equals(known, name, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Select(known => (Name: known, Distance: Distance(name, known, allowed)))
            .Where(static c => c.Distance is not null)
            .OrderBy(static c => c.Distance)
            .ThenBy(static c => c.Name, StringComparer.Ordinal)
            .Take(MaxSuggestions)
            .Select(static c => c.Name)];
    }

    /// <summary>
    /// The optimal-string-alignment distance (Levenshtein plus swaps of neighbours) between <paramref name="a"/> and
    /// <paramref name="b"/> ignoring case, or <see langword="null"/> when it exceeds <paramref name="limit"/>.
    /// </summary>
    internal static int? Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return null;
        }

        // Three rows of the dynamic-programming table: the one two above is what a swap looks back to.
        int[] previous2 = new int[b.Length + 1];
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMinimum = i;
            char ai = char.ToLowerInvariant(a[i - 1]);
            for (int j = 1; j <= b.Length; j++)
            {
                char bj = char.ToLowerInvariant(b[j - 1]);
                int cost = ai == bj ? 0 : 1;
                int best = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && ai == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == bj)
                {
                    best = Math.Min(best, previous2[j - 2] + 1);
                }

                current[j] = best;
                rowMinimum = Math.Min(rowMinimum, best);
            }

            // Every later row is at least this row's minimum: stop as soon as no alignment can stay within the limit.
            if (rowMinimum > limit)
            {
                return null;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length] <= limit ? previous[b.Length] : null;
    }
}
