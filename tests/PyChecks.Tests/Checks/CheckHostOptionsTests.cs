using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>The options a host is started with are the caller's: starting puts the checks folder on <c>sys.path</c> without writing to them.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckHostOptionsTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Start_LeavesTheCallersSearchPathsUnchanged_AndPutsTheChecksFolderFirstOnSysPath(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("where", """
                import sys
                from datadog_checks.base import AgentCheck
                class Where(AgentCheck):
                    def check(self, instance):
                        self.gauge('where.path', 1, tags=['first:' + sys.path[0], 'second:' + sys.path[1]])
                """)
            .Config("where", "instances: [{}]\n");
        string extra = Directory.CreateDirectory(Path.Combine(folder.Root, "lib")).FullName;
        PyChecksOptions? given = null;
        var sender = new InMemorySender();

        using var host = folder.Start([sender], o =>
        {
            o.Python.SearchPaths.Add(extra);
            given = o;
        });

        Assert.That(given!.Python.SearchPaths, Is.EqualTo(new[] { extra }), "the caller's options are as the caller left them");
        Assert.That(host.Options, Is.SameAs(given));
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.RunAsync().GetAwaiter().GetResult().Succeeded, Is.True);
        Assert.That(sender.Metrics.Single().Tags, Is.EqualTo(new[] { "first:" + folder.ChecksDirectory, "second:" + extra }));
    });

    [Test]
    public void PythonOptionsFor_CopiesEverySetting_WithTheChecksFolderFirst()
    {
        var options = new PyChecksOptions
        {
            ChecksDirectory = "/srv/checks.d",
            Python = new PythonRuntimeOptions
            {
                Python = "/opt/python/lib/libpython3.12.so",
                Isolated = true,
                ShutdownTimeout = TimeSpan.FromSeconds(3),
                WorkerCount = 5,
                CallingThreadRunLimit = TimeSpan.FromMilliseconds(2),
            },
        };
        options.Python.SearchPaths.Add("/opt/extra");

        var python = CheckHost.PythonOptionsFor(options);

        Assert.Multiple(() =>
        {
            Assert.That(python, Is.Not.SameAs(options.Python));
            Assert.That(python.SearchPaths, Is.EqualTo(new[] { "/srv/checks.d", "/opt/extra" }));
            Assert.That(options.Python.SearchPaths, Is.EqualTo(new[] { "/opt/extra" }));
            Assert.That(python.Python, Is.EqualTo(options.Python.Python));
            Assert.That(python.Isolated, Is.True);
            Assert.That(python.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(python.WorkerCount, Is.EqualTo(5));
            Assert.That(python.CallingThreadRunLimit, Is.EqualTo(TimeSpan.FromMilliseconds(2)));
        });

        // A setting added to PythonRuntimeOptions must be copied by PythonOptionsFor too, and asserted above.
        var settable = typeof(PythonRuntimeOptions).GetProperties().Where(static p => p.CanWrite).Select(static p => p.Name);
        Assert.That(settable, Is.EquivalentTo(new[] { "Python", "Isolated", "ShutdownTimeout", "WorkerCount", "CallingThreadRunLimit" }));
    }

    [Test]
    public void PythonOptionsFor_WhenNothingIsAdded_GivesTheCallersOptions()
    {
        var withoutFolder = new PyChecksOptions();
        var alreadyThere = new PyChecksOptions { ChecksDirectory = "/srv/checks.d" };
        alreadyThere.Python.SearchPaths.Add("/srv/checks.d");

        Assert.Multiple(() =>
        {
            Assert.That(CheckHost.PythonOptionsFor(withoutFolder), Is.SameAs(withoutFolder.Python));
            Assert.That(CheckHost.PythonOptionsFor(alreadyThere), Is.SameAs(alreadyThere.Python));
            Assert.That(alreadyThere.Python.SearchPaths, Is.EqualTo(new[] { "/srv/checks.d" }));
        });
    }
}
