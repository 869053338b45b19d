using System.Numerics;
using NUnit.Framework;
using PyChecks.Checks.Configuration;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>
/// Scalars get the types a Datadog check sees: PyYAML's YAML 1.1 rules, plus the number forms the Agent's Go
/// parser accepts. Each case is written as <c>value: &lt;scalar&gt;</c> in a real file and read back.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ScalarTypingTests
{
    [TestCase("")]
    [TestCase("~")]
    [TestCase("null")]
    [TestCase("Null")]
    [TestCase("NULL")]
    [TestCase("!!null ''")]
    public void Scalar_NullForms_AreNull(string scalar) => Assert.That(Read(scalar), Is.Null);

    [TestCase("true", true)]
    [TestCase("True", true)]
    [TestCase("TRUE", true)]
    [TestCase("yes", true)]
    [TestCase("Yes", true)]
    [TestCase("YES", true)]
    [TestCase("on", true)]
    [TestCase("On", true)]
    [TestCase("ON", true)]
    [TestCase("false", false)]
    [TestCase("False", false)]
    [TestCase("FALSE", false)]
    [TestCase("no", false)]
    [TestCase("No", false)]
    [TestCase("NO", false)]
    [TestCase("off", false)]
    [TestCase("Off", false)]
    [TestCase("OFF", false)]
    [TestCase("!!bool yes", true)]
    public void Scalar_BoolForms_AreBool(string scalar, bool expected) => AssertTyped(Read(scalar), expected);

    [TestCase("0", 0L)]
    [TestCase("42", 42L)]
    [TestCase("-17", -17L)]
    [TestCase("+5", 5L)]
    [TestCase("1_000_000", 1_000_000L)]
    [TestCase("0x1F", 31L)]
    [TestCase("-0x10", -16L)]
    [TestCase("0o17", 15L)]
    [TestCase("017", 15L)]
    [TestCase("0b101", 5L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    [TestCase("-9223372036854775808", long.MinValue)]
    [TestCase("!!int '42'", 42L)]
    public void Scalar_IntegerForms_AreLong(string scalar, long expected) => AssertTyped(Read(scalar), expected);

    [Test]
    public void Scalar_IntegerBeyondLong_IsBigInteger()
    {
        AssertTyped(Read("9223372036854775808"), BigInteger.Parse("9223372036854775808", System.Globalization.CultureInfo.InvariantCulture));
        AssertTyped(Read("-0x10000000000000000"), -BigInteger.Pow(2, 64));
    }

    [TestCase("1.5", 1.5)]
    [TestCase("-0.25", -0.25)]
    [TestCase("1e3", 1000.0)]
    [TestCase("1.5E-3", 0.0015)]
    [TestCase("6.02e+23", 6.02e23)]
    [TestCase(".5", 0.5)]
    [TestCase("-.5", -0.5)]
    [TestCase("1.", 1.0)]
    [TestCase("1_000.5", 1000.5)]
    [TestCase(".inf", double.PositiveInfinity)]
    [TestCase("+.inf", double.PositiveInfinity)]
    [TestCase(".Inf", double.PositiveInfinity)]
    [TestCase("-.inf", double.NegativeInfinity)]
    [TestCase("-.INF", double.NegativeInfinity)]
    [TestCase(".nan", double.NaN)]
    [TestCase(".NaN", double.NaN)]
    [TestCase(".NAN", double.NaN)]
    [TestCase("!!float 1", 1.0)]
    public void Scalar_FloatForms_AreDouble(string scalar, double expected) => AssertTyped(Read(scalar), expected);

    [TestCase("abc", "abc")]
    [TestCase("tRUE", "tRUE")]
    [TestCase("y", "y")]
    [TestCase("nULL", "nULL")]
    [TestCase("08", "08")]
    [TestCase("0x", "0x")]
    [TestCase("0x1G", "0x1G")]
    [TestCase("1e", "1e")]
    [TestCase("e3", "e3")]
    [TestCase("1.2.3", "1.2.3")]
    [TestCase("10.0.0.1", "10.0.0.1")]
    [TestCase("12:30", "12:30")]
    [TestCase("2024-01-31", "2024-01-31")]
    [TestCase(".", ".")]
    [TestCase("localhost:6379", "localhost:6379")]
    public void Scalar_AnythingElse_IsString(string scalar, string expected) => AssertTyped(Read(scalar), expected);

    [TestCase("'42'", "42")]
    [TestCase("\"true\"", "true")]
    [TestCase("'null'", "null")]
    [TestCase("''", "")]
    [TestCase("\"1.5\"", "1.5")]
    [TestCase("\"tab\\there\"", "tab\there")]
    [TestCase("!!str 42", "42")]
    [TestCase("! 42", "42")]
    public void Scalar_QuotedOrTaggedStr_IsString(string scalar, string expected) => AssertTyped(Read(scalar), expected);

    [Test]
    public void Scalar_BlockScalars_AreStrings()
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("b.yaml", "instances:\n  - literal: |\n      42\n    folded: >\n      true\n      yes\n"), "b");

        Assert.That(config.Instances[0]["literal"], Is.EqualTo("42\n"));
        Assert.That(config.Instances[0]["folded"], Is.EqualTo("true yes\n"));
    }

    private static void AssertTyped(object? actual, object expected)
    {
        // NUnit's EqualTo treats 1 and 1.0 as equal; the type is half of what is being specified.
        Assert.That(actual, Is.TypeOf(expected.GetType()));
        Assert.That(actual, Is.EqualTo(expected));
    }

    private static object? Read(string scalar)
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("t.yaml", $"instances:\n  - value: {scalar}\n"), "t");
        return config.Instances[0]["value"];
    }
}
