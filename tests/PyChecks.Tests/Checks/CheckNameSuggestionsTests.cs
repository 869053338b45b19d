using NUnit.Framework;

namespace PyChecks.Tests.Checks;

/// <summary>"Did you mean": only names a few edits away, closest first.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckNameSuggestionsTests
{
    private static readonly string[] Known = ["disk", "cpu", "process", "postgres", "redisdb", "http_check", "network", "directory", "ntp"];

    [TestCase("dsik", "disk")]                 // two neighbours swapped: one edit
    [TestCase("dis", "disk")]                  // a letter missing
    [TestCase("disks", "disk")]                // a letter too many
    [TestCase("Disk", "disk")]                 // case only
    [TestCase("proces", "process")]
    [TestCase("postgresql", "postgres")]       // two letters too many in a long name
    [TestCase("redis_db", "redisdb")]
    [TestCase("htpp_chekc", "http_check")]     // two swaps in a name of ten
    [TestCase("netwrok", "network")]
    public void For_AMisspelledName_SuggestsTheKnownOne(string name, string expected)
        => Assert.That(CheckNameSuggestions.For(name, Known), Is.EqualTo(new[] { expected }));

    [TestCase("memory")]
    [TestCase("redis")]                        // two edits from redisdb: too far for five letters
    [TestCase("x")]
    [TestCase("")]
    [TestCase("kafka_consumer")]
    public void For_ANameFarFromEveryKnownOne_SuggestsNothing(string name)
        => Assert.That(CheckNameSuggestions.For(name, Known), Is.Empty);

    [Test]
    public void For_SeveralCloseNames_ClosestFirst_ThenInOrder_AtMostThree()
    {
        string[] known = ["mysql2", "mysql", "mysql_b", "mysql_a", "mysqlx", "mongo"];

        Assert.That(CheckNameSuggestions.For("mysqll", known), Is.EqualTo(new[] { "mysql", "mysql2", "mysqlx" }));
    }

    [Test]
    public void For_TheNameItself_IsNeverSuggested_AndDuplicatesCountOnce()
        => Assert.That(CheckNameSuggestions.For("ntp", ["ntp", "ntpd", "ntpd"]), Is.EqualTo(new[] { "ntpd" }));

    [TestCase("ab", "ba", 1)]
    [TestCase("ca", "abc", 3)]                 // optimal string alignment: no edit of a swapped pair
    [TestCase("kitten", "sitting", 3)]
    [TestCase("", "abc", 3)]
    [TestCase("same", "SAME", 0)]
    public void Distance_IsTheOptimalStringAlignmentDistance(string a, string b, int expected)
    {
        Assert.That(CheckNameSuggestions.Distance(a, b, limit: 5), Is.EqualTo(expected));
        Assert.That(CheckNameSuggestions.Distance(b, a, limit: 5), Is.EqualTo(expected), "it is symmetric");
        Assert.That(CheckNameSuggestions.Distance(a, b, limit: expected - 1), Is.Null, "over the limit");
    }
}
