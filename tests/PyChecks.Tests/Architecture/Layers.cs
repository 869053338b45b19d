namespace PyChecks.Tests.Architecture;

/// <summary>
/// The layer picture of <c>src/PyChecks</c>, bottom to top: a folder may reference its own types and those of
/// folders of a lower rank, never a higher rank nor another folder of the same rank. <c>docs/architecture.md</c>
/// draws the same table (<see cref="LayeringTests.TheArchitectureDocDrawsTheSameLayers"/> keeps them equal).
/// </summary>
internal static class Layers
{
    /// <summary>Each rank's folders (first path segment under <c>src/PyChecks</c>; a subfolder belongs to its parent).</summary>
    public static readonly IReadOnlyList<(int Rank, string[] Folders)> Table =
    [
        (0, ["Telemetry", "Agent", "Obfuscation"]),
        (1, ["Senders"]),
        (2, ["Interop"]),
        (3, ["Workers"]),
        (4, ["Runtime"]),
        (5, ["Memory"]),
        (6, ["Builtins"]),
        (7, ["Profiling"]),
        (8, ["Checks"]),
        (9, ["Scheduling"]),
        (10, ["DependencyInjection"]),
    ];

    private static readonly Dictionary<string, int> RankOfFolder =
        Table.SelectMany(layer => layer.Folders.Select(folder => (folder, layer.Rank))).ToDictionary(p => p.folder, p => p.Rank, StringComparer.Ordinal);

    /// <summary>The rank of <paramref name="folder"/>, or <see langword="null"/> when the table does not place it.</summary>
    public static int? RankOf(string folder) => RankOfFolder.TryGetValue(folder, out int rank) ? rank : null;

    /// <summary>The folder a source file belongs to: the first segment of its path relative to <c>src/PyChecks</c>.</summary>
    public static string FolderOf(string relativePath)
    {
        int slash = relativePath.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : relativePath[..slash];
    }

    /// <summary>Whether code in folder <paramref name="from"/> may use a type or member declared in folder <paramref name="to"/>.</summary>
    public static bool MayReference(string from, string to) =>
        from == to || (RankOf(from) is int low && RankOf(to) is int high && high < low);
}
