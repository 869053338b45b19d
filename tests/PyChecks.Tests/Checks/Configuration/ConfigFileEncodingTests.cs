using System.Text;
using NUnit.Framework;
using PyChecks.Checks.Configuration;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>
/// The bytes of a configuration file: UTF-8 (with or without a byte-order mark), UTF-16 and UTF-32 as YAML 1.2 allows,
/// and anything not valid in its encoding refused with file, line and column instead of becoming U+FFFD.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ConfigFileEncodingTests
{
    private const string Yaml = "instances:\n  - tags: [café:crème, 'pi:π', 'emoji:🦆']\n";

    private static readonly string[] ExpectedTags = ["café:crème", "pi:π", "emoji:🦆"];

    [Test]
    public void ReadFile_InvalidUtf8_IsAnError_NamingFileLineColumnAndTheByte()
    {
        using var conf = new ConfDirectory();
        // Latin-1 'é' (0xE9) where UTF-8 needs two bytes: the tag would have read "caf\uFFFD" before.
        string path = conf.WriteBytes("latin.yaml", [.. "instances:\n  - tags: [caf"u8, 0xE9, .. ":1]\n"u8]);

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "latin"))!;

        Assert.That(error.File, Is.EqualTo(path));
        Assert.That(error.Line, Is.EqualTo(2));
        Assert.That(error.Column, Is.EqualTo(15), "after '  - tags: [caf'");
        Assert.That(error.Message, Is.EqualTo(
            $"{path}, line 2, column 15: invalid UTF-8: 0xE9 (in 0xE9 0x3A 0x31 0x5D) does not form a character; "
            + "YAML files are read as UTF-8, so save this one as UTF-8 (or UTF-16 with a byte-order mark)"));
    }

    [Test]
    public void ReadFile_InvalidUtf8AfterMultiByteCharacters_CountsTheColumnInCharacters()
    {
        using var conf = new ConfDirectory();
        string path = conf.WriteBytes("c.yaml", [.. "a: 1\nb: ππ"u8, 0xFF, .. "\n"u8]);

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "c"))!;

        Assert.That((error.Line, error.Column), Is.EqualTo((2, 6)));
    }

    [TestCase(new byte[] { 0xC0, 0xAF }, TestName = "ReadFile_InvalidUtf8_AnOverlongSlashIsRefused")]
    [TestCase(new byte[] { 0xED, 0xA0, 0x80 }, TestName = "ReadFile_InvalidUtf8_AnEncodedSurrogateIsRefused")]
    [TestCase(new byte[] { 0xF5, 0x80, 0x80, 0x80 }, TestName = "ReadFile_InvalidUtf8_APointBeyondUnicodeIsRefused")]
    [TestCase(new byte[] { 0x80 }, TestName = "ReadFile_InvalidUtf8_ALoneContinuationByteIsRefused")]
    public void ReadFile_InvalidUtf8Sequences_AreRefused(byte[] bad)
    {
        using var conf = new ConfDirectory();
        string path = conf.WriteBytes("s.yaml", [.. "instances:\n  - name: x"u8, .. bad, .. "\n"u8]);

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "s"))!;

        Assert.That((error.Line, error.Column), Is.EqualTo((2, 12)));
        Assert.That(error.Message, Does.Contain("invalid UTF-8: "));
    }

    [Test]
    public void ReadFile_EndingInTheMiddleOfACharacter_SaysSo()
    {
        using var conf = new ConfDirectory();
        string path = conf.WriteBytes("t.yaml", [.. "instances: []\n# €"u8[..^1]]);

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "t"))!;

        Assert.That(error.Message, Does.Contain("line 2, column 3: invalid UTF-8: the file ends in the middle of a character (0xE2 0x82)"));
    }

    [TestCase("utf-8", false)]
    [TestCase("utf-8", true)]
    [TestCase("utf-16LE", true)]
    [TestCase("utf-16BE", true)]
    [TestCase("utf-16LE", false)]
    [TestCase("utf-16BE", false)]
    [TestCase("utf-32LE", true)]
    [TestCase("utf-32BE", true)]
    public void ReadFile_EveryYamlEncoding_ReadsTheSameTags(string encodingName, bool byteOrderMark)
    {
        var encoding = encodingName switch
        {
            "utf-16LE" => Encoding.Unicode,
            "utf-16BE" => Encoding.BigEndianUnicode,
            "utf-32LE" => Encoding.UTF32,
            "utf-32BE" => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
            _ => Encoding.UTF8,
        };
        byte[] bytes = [.. byteOrderMark ? encoding.GetPreamble() : [], .. encoding.GetBytes(Yaml)];
        if (encodingName == "utf-8" && byteOrderMark)
        {
            Assert.That(bytes[..3], Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }));
        }

        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.WriteBytes("e.yaml", bytes), "e");

        Assert.That(config.Instances[0]["tags"], Is.EqualTo(ExpectedTags));
    }

    [Test]
    public void ReadFile_Utf16WithALoneSurrogate_IsAnErrorWithLineAndColumn()
    {
        using var conf = new ConfDirectory();
        byte[] bytes = [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("instances:\n  - x: a"), 0x00, 0xD8, .. Encoding.Unicode.GetBytes("b\n")];

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(conf.WriteBytes("u.yaml", bytes), "u"))!;

        Assert.That((error.Line, error.Column), Is.EqualTo((2, 9)));
        Assert.That(error.Message, Does.Contain("invalid UTF-16LE: the high surrogate U+D800 is not followed by a low surrogate; save the file as UTF-8"));
    }

    [Test]
    public void ReadFile_Utf16WithAnOddNumberOfBytes_IsAnError()
    {
        using var conf = new ConfDirectory();
        byte[] bytes = [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes("instances: []\n"), 0x00];

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(conf.WriteBytes("o.yaml", bytes), "o"))!;

        Assert.That(error.Message, Does.Contain("line 2, column 1: invalid UTF-16BE: the file ends with half a character"));
    }

    [Test]
    public void ReadFile_Utf32BeyondUnicode_IsAnError()
    {
        using var conf = new ConfDirectory();
        byte[] bytes = [0xFF, 0xFE, 0x00, 0x00, .. Encoding.UTF32.GetBytes("a: "), 0x00, 0x00, 0x11, 0x00];

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(conf.WriteBytes("w.yaml", bytes), "w"))!;

        Assert.That(error.Message, Does.Contain("line 1, column 4: invalid UTF-32LE: 0x00110000 is not a Unicode character"));
    }

    [Test]
    public void AgentConfigFile_InvalidUtf8_IsRefusedTheSameWay()
    {
        using var conf = new ConfDirectory();
        string path = conf.WriteBytes("datadog.yaml", [.. "hostname: h"u8, 0xFE, .. "\n"u8]);

        var error = Assert.Throws<CheckConfigurationException>(() => new AgentConfig().AddYamlFile(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}, line 1, column 12: invalid UTF-8: 0xFE"));
    }
}
