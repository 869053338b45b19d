using System.Reflection;
using System.Text;
using NUnit.Framework;

namespace PyChecks.Tests;

/// <summary>
/// The public surface of each package, compared with the listing checked in next to its project
/// (<c>src/&lt;project&gt;/PublicAPI.txt</c>), so that every change to it is seen in review. After an intended
/// change, run the tests with <c>PYCHECKS_UPDATE_PUBLIC_API=1</c> to rewrite the listings, and read their diff.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class PublicApiTests
{
    [TestCase("PyChecks", typeof(CheckHost))]
    [TestCase("PyChecks.AspNetCore", typeof(PyChecksApiOptions))]
    public void PublicSurface_MatchesTheCheckedInListing(string project, Type anyType)
    {
        string listing = Path.Combine(PackagingTests.RepositoryRoot(), "src", project, "PublicAPI.txt");
        string actual = Describe(anyType.Assembly);
        if (Environment.GetEnvironmentVariable("PYCHECKS_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(listing, actual);
        }

        string expected = File.Exists(listing) ? File.ReadAllText(listing) : string.Empty;
        var added = Lines(actual).Except(Lines(expected)).ToList();
        var removed = Lines(expected).Except(Lines(actual)).ToList();
        Assert.That(
            added.Count + removed.Count,
            Is.Zero,
            $"The public API of {project} differs from {listing}. If the change is intended, run the tests with PYCHECKS_UPDATE_PUBLIC_API=1.\n" +
            string.Join("\n", added.Select(l => "+ " + l).Concat(removed.Select(l => "- " + l))));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>One line per public type and per public or protected member it declares, sorted.</summary>
    private static string Describe(Assembly assembly)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            string name = type.FullName!;
            lines.Add($"{Kind(type)} {name}{(type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) ? " : " + b : string.Empty)}");
            foreach (var contract in type.GetInterfaces().Select(i => i.ToString()).Order(StringComparer.Ordinal))
            {
                lines.Add($"{name} implements {contract}");
            }

            foreach (var member in type.GetMembers(declared).Where(IsVisible))
            {
                lines.Add($"{name}::{Describe(member)}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : "class";

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && !(method.IsSpecialName && method is MethodInfo),
        FieldInfo field => (field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly) && !field.IsSpecialName,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        Type nested => nested.IsNestedPublic || nested.IsNestedFamily,
        _ => false,
    };

    private static string Describe(MemberInfo member) => member switch
    {
        FieldInfo { IsLiteral: true } constant => $"const {constant.FieldType} {constant.Name} = {constant.GetRawConstantValue()}",
        PropertyInfo property => $"{property.PropertyType} {property.Name} {{ {string.Join(' ', property.GetAccessors(nonPublic: true).Where(a => a.IsPublic || a.IsFamily).Select(a => a.Name.StartsWith("get_", StringComparison.Ordinal) ? "get;" : IsInitOnly(a) ? "init;" : "set;").Order(StringComparer.Ordinal))} }}",
        _ => member.ToString() ?? member.Name,
    };

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");
}
