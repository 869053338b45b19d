using System.Text.Json;

namespace PyChecks.AspNetCore.Json;

/// <summary>
/// Finds a member given twice in one object of a request body. JSON leaves duplicates to the reader, and readers differ
/// (the last wins here, the first elsewhere), so a body with one is refused rather than read one way or the other.
/// </summary>
internal static class DuplicateMembers
{
    /// <summary>The first duplicated member, by name and JSON path (<c>$.a.b</c>); <see langword="null"/> when there is none.</summary>
    public static (string Name, string Path)? Find(JsonElement element) => Find(element, "$");

    private static (string Name, string Path)? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string member = $"{path}.{property.Name}";
                    if (!seen.Add(property.Name))
                    {
                        return (property.Name, member);
                    }

                    if (Find(property.Value, member) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                int index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{index++}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
