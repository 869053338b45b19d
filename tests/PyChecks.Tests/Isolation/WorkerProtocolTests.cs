using System.Numerics;
using NUnit.Framework;
using PyChecks.Checks.Isolation;

namespace PyChecks.Tests.Isolation;

/// <summary>
/// The worker protocol's encoding on its own: every configuration value and string round-trips, strings go by id
/// once sent, and a frame that is cut short or makes no sense is an <see cref="InvalidDataException"/> (the host
/// then kills the worker), never a wrong value.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkerProtocolTests
{
    [Test]
    public void ConfigurationValues_OfEveryKind_RoundTrip()
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["null"] = null,
            ["true"] = true,
            ["false"] = false,
            ["int"] = -42L,
            ["small"] = 7,
            ["max"] = long.MaxValue,
            ["min"] = long.MinValue,
            ["big"] = BigInteger.Pow(2, 100),
            ["ulong"] = ulong.MaxValue,
            ["double"] = 1.5,
            ["nan"] = double.NaN,
            ["text"] = "ünïcode ✓ \0 inside",
            ["empty"] = string.Empty,
            ["list"] = new List<object?> { 1L, "two", null, new List<object?> { 3.0 } },
            ["map"] = new Dictionary<string, object?> { ["a"] = new Dictionary<string, object?> { ["b"] = "c" } },
        };
        var writer = new FrameWriter();
        writer.WriteMap(map, "test");
        var reader = new FrameReader(writer.Written);
        var read = reader.ReadMap();

        Assert.That(reader.AtEnd, Is.True);
        Assert.That(read["null"], Is.Null);
        Assert.That(read["true"], Is.EqualTo(true));
        Assert.That(read["false"], Is.EqualTo(false));
        Assert.That(read["int"], Is.EqualTo(-42L));
        Assert.That(read["small"], Is.EqualTo(7L));
        Assert.That(read["max"], Is.EqualTo(long.MaxValue));
        Assert.That(read["min"], Is.EqualTo(long.MinValue));
        Assert.That(read["big"], Is.EqualTo(BigInteger.Pow(2, 100)));
        Assert.That(read["ulong"], Is.EqualTo(new BigInteger(ulong.MaxValue)));
        Assert.That(read["double"], Is.EqualTo(1.5));
        Assert.That(double.IsNaN((double)read["nan"]!), Is.True);
        Assert.That(read["text"], Is.EqualTo("ünïcode ✓ \0 inside"));
        Assert.That(read["empty"], Is.EqualTo(string.Empty));
        Assert.That(read["list"], Is.EqualTo(new List<object?> { 1L, "two", null, new List<object?> { 3.0 } }));
        Assert.That(((Dictionary<string, object?>)((Dictionary<string, object?>)read["map"]!)["a"]!)["b"], Is.EqualTo("c"));
    }

    [Test]
    public void AValueAWorkerCannotBeGiven_IsRefusedNamingWhereItIs()
    {
        var writer = new FrameWriter();
        var error = Assert.Throws<ArgumentException>(() => writer.WriteMap(new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch }, "the instance x"));
        Assert.That(error!.Message, Does.Contain("the instance x['when']").And.Contain("DateTime"));
    }

    [Test]
    public void Strings_AreSentOnce_ThenByTheirId_AndBothSidesAgree()
    {
        var sent = new Dictionary<string, int>(StringComparer.Ordinal);
        var writer = new FrameWriter();
        foreach (string value in new[] { "env:prod", "host:a", "env:prod", "env:prod", "host:a" })
        {
            StringTable.Write(writer, sent, value);
        }

        int firstTwo = 2 * (1 + 1 + "env:prod".Length);
        Assert.That(writer.Length, Is.LessThan(firstTwo + 3), "repeats cost one byte each");
        var received = new List<string>();
        var reader = new FrameReader(writer.Written);
        var read = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            read.Add(StringTable.Read(ref reader, received));
        }

        Assert.That(read, Is.EqualTo(new[] { "env:prod", "host:a", "env:prod", "env:prod", "host:a" }));
        Assert.That(received, Is.EqualTo(new[] { "env:prod", "host:a" }));
    }

    [Test]
    public void AStringIdNeverSent_OrAFrameCutShort_IsInvalidData()
    {
        var writer = new FrameWriter();
        writer.WriteVarUInt(StringTable.Reference(5));
        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new FrameReader(writer.Written);
            StringTable.Read(ref reader, []);
        });

        var config = new FrameWriter();
        config.WriteMap(new Dictionary<string, object?> { ["key"] = "a long enough value" }, "test");
        for (int cut = 0; cut < config.Length; cut++)
        {
            byte[] truncated = config.Written[..cut].ToArray();
            Assert.Throws<InvalidDataException>(
                () =>
                {
                    var reader = new FrameReader(truncated);
                    reader.ReadMap();
                    if (!reader.AtEnd)
                    {
                        throw new InvalidDataException("left over");
                    }
                },
                $"cut at {cut}");
        }

        byte[] hugeCount = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
        Assert.Throws<InvalidDataException>(() => new FrameReader(hugeCount).ReadStrings(), "a count larger than the frame");
        byte[] badTag = [99];
        Assert.Throws<InvalidDataException>(() => new FrameReader(badTag).ReadValue(), "an unknown value tag");
        byte[] endless = [.. Enumerable.Repeat((byte)0x80, 11)];
        Assert.Throws<InvalidDataException>(() => new FrameReader(endless).ReadVarUInt(), "a variable-length integer past 64 bits");
    }
}
