using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// Tags submitted again and again (kept decoded by the strings they hold, see <c>TagSetCache</c>): every sample gets the
/// tags its list holds at that moment, with its own check's configured tags, however the list changed in between, and a
/// delivery still using kept tags sees them unchanged while a sender runs another check.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RepeatedTagsTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TheSameList_ChangedBetweenSamples_GivesWhatItHoldsAtEachSample(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("repeated", """
            import aggregator
            from datadog_checks.base import AgentCheck

            SHARED = ('a:1', 'env:dev')


            class RepeatedCheck(AgentCheck):
                def check(self, instance):
                    t = ['a:1', 'b:2']
                    for i in range(4):
                        self.gauge('same', i, tags=t)
                        aggregator.submit_metric(self, self.check_id, aggregator.GAUGE, 'raw', i, t, '', False)
                    t.append('c:3')
                    for i in range(3):
                        self.gauge('appended', i, tags=t)
                    t[0] = 'z:9'
                    for i in range(3):
                        self.gauge('replaced', i, tags=t)
                    del t[1:]
                    for i in range(3):
                        self.gauge('shortened', i, tags=t)
                    t.clear()
                    for i in range(3):
                        self.gauge('emptied', i, tags=t)
                    for i in range(3):
                        self.gauge('tuple', i, tags=SHARED)
                    for i in range(6):
                        self.gauge('alternating', i, tags=['p:1'] if i % 2 else ('q:2', 'p:1'))
                    for i in range(4):
                        self.gauge('formatted', i, tags=['n:%d' % (i % 2)])
                    for i in range(3):
                        self.gauge('literal', i, tags=['l:1', 'l:2'])
            """).Config("repeated", "instances: [{tags: ['env:dev']}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        for (int run = 0; run < 3; run++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        string Tags(string name, int i) => sender.Metrics.Where(m => m.Name == name && m.Value == i).Select(m => string.Join(",", m.Tags)).Distinct().Single();
        Assert.Multiple(() =>
        {
            Assert.That(sender.Metrics, Has.Count.EqualTo(3 * 36));
            for (int i = 0; i < 4; i++)
            {
                Assert.That(Tags("same", i), Is.EqualTo("a:1,b:2,env:dev"), $"same {i}");
                Assert.That(Tags("raw", i), Is.EqualTo("a:1,b:2,env:dev"), $"raw {i}");
                Assert.That(Tags("formatted", i), Is.EqualTo($"n:{i % 2},env:dev"), $"formatted {i}");
            }

            for (int i = 0; i < 3; i++)
            {
                Assert.That(Tags("appended", i), Is.EqualTo("a:1,b:2,c:3,env:dev"), $"appended {i}");
                Assert.That(Tags("replaced", i), Is.EqualTo("z:9,b:2,c:3,env:dev"), $"replaced {i}");
                Assert.That(Tags("shortened", i), Is.EqualTo("z:9,env:dev"), $"shortened {i}");
                Assert.That(Tags("emptied", i), Is.EqualTo("env:dev"), $"emptied {i}");
                Assert.That(Tags("tuple", i), Is.EqualTo("a:1,env:dev"), $"tuple {i}: the configured tag once");
                Assert.That(Tags("literal", i), Is.EqualTo("l:1,l:2,env:dev"), $"literal {i}");
            }

            for (int i = 0; i < 6; i++)
            {
                Assert.That(Tags("alternating", i), Is.EqualTo(i % 2 == 1 ? "p:1,env:dev" : "q:2,p:1,env:dev"), $"alternating {i}");
            }
        });
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void OneList_SharedByTwoInstances_CarriesEachInstancesConfiguredTags(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("shared", """
            from datadog_checks.base import AgentCheck

            TAGS = ['team:core', 'env:a']


            class SharedCheck(AgentCheck):
                def check(self, instance):
                    for i in range(3):
                        self.gauge('m', i, tags=TAGS)
            """).Config("shared", "instances: [{tags: ['env:a']}, {tags: ['env:b']}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);
        Assert.That(checks, Has.Count.EqualTo(2));
        for (int run = 0; run < 3; run++)
        {
            foreach (var check in checks)
            {
                var result = check.RunAsync().GetAwaiter().GetResult();
                Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
            }
        }

        var byCheck = sender.Metrics.GroupBy(m => m.CheckId).ToDictionary(g => g.Key, g => g.Select(m => string.Join(",", m.Tags)).Distinct().ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(byCheck[checks[0].Id], Is.EqualTo(new[] { "team:core,env:a" }), "env:a configured and in the list: once");
            Assert.That(byCheck[checks[1].Id], Is.EqualTo(new[] { "team:core,env:a,env:b" }));
        });
        foreach (var check in checks)
        {
            check.Dispose();
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void KeptTags_InUseByASender_StayAsTheyWere_WhileTheSenderRunsAnotherCheck(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // The outer check's first two samples have its tags kept; at each later one, the sender runs the inner check, which
        // submits 900 lists of 30 known strings, each list twice: enough to take over most of the kept lists' slots, the outer
        // one's among them, were an entry in use replaced.
        var folder = new CheckFolder()
            .Check("outer", """
                from datadog_checks.base import AgentCheck

                TAGS = ['o:1', 'o:2', 'o:3']


                class OuterCheck(AgentCheck):
                    def check(self, instance):
                        for i in range(4):
                            self.gauge('outer', i, tags=TAGS)
                """)
            .Check("inner", """
                from datadog_checks.base import AgentCheck

                STRINGS = ['s:%d' % k for k in range(30)]
                LISTS = [[a, b] for a in STRINGS for b in STRINGS]


                class InnerCheck(AgentCheck):
                    def check(self, instance):
                        for round in range(3):
                            for tags in LISTS:
                                self.gauge('inner', round, tags=tags)
                                self.gauge('inner', round, tags=tags)
                """)
            .Config("outer", "instances: [{}]\n")
            .Config("inner", "instances: [{}]\n");
        var nested = new NestingSender();
        using var host = folder.Start([nested]);
        var checks = CheckFolder.LoadAll(host);
        var outer = checks.Single(c => c.Name == "outer");
        nested.Inner = checks.Single(c => c.Name == "inner");
        for (int run = 0; run < 2; run++)
        {
            var result = outer.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        Assert.Multiple(() =>
        {
            Assert.That(nested.InnerRuns, Is.EqualTo(4), "the sender ran the inner check at the outer check's later samples");
            Assert.That(nested.OuterTagsAfterInnerRun, Has.Count.EqualTo(4));
            Assert.That(nested.OuterTagsAfterInnerRun.Distinct(), Is.EqualTo(new[] { "o:1,o:2,o:3" }));
            Assert.That(nested.InnerTags.Distinct().Count(), Is.EqualTo(900));
        });
        foreach (var check in checks)
        {
            check.Dispose();
        }
    });

    /// <summary>On the samples of <c>outer</c> from the third of a run, runs <see cref="Inner"/> to the end, then reads the sample's tags.</summary>
    private sealed class NestingSender : ISender
    {
        public ICheck Inner { get; set; } = null!;

        public int InnerRuns { get; private set; }

        public List<string> OuterTagsAfterInnerRun { get; } = [];

        public List<string> InnerTags { get; } = [];

        public void SubmitMetric(in MetricSample sample)
        {
            if (sample.Name != "outer")
            {
                InnerTags.Add(string.Join(",", sample.Tags.ToArray()));
                return;
            }

            if (sample.Value < 2)
            {
                return;
            }

            var result = Inner.RunAsync().GetAwaiter().GetResult();
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.Error + result.Traceback);
            }

            InnerRuns++;
            OuterTagsAfterInnerRun.Add(string.Join(",", sample.Tags.ToArray()));
        }

        public void SubmitServiceCheck(in ServiceCheckSample sample)
        {
        }

        public void SubmitEvent(CheckEvent checkEvent)
        {
        }

        public void SubmitHistogramBucket(in HistogramBucketSample sample)
        {
        }

        public void Commit(in CheckRunSummary summary)
        {
        }
    }
}
