namespace PyChecks.Obfuscation;

/// <summary>
/// What obfuscating a statement collected, as the Agent reports it: <paramref name="Size"/> counts the bytes
/// collected; a list is null when nothing of its kind was collected (the Agent's JSON then says <c>null</c>).
/// </summary>
internal sealed record SqlMetadata(
    long Size,
    string TablesCsv,
    IReadOnlyList<string>? Commands,
    IReadOnlyList<string>? Comments,
    IReadOnlyList<string>? Procedures);
