using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// The working directory belongs to the process: a check that changes it (<c>os.chdir</c>, <c>os.fchdir</c>,
/// <c>posix.chdir</c>, in a run or in its constructor) sees the change while its code runs, and the host has its own
/// directory back when that code returns or raises.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkingDirectoryTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ACheckThatChangesDirectory_SeesItDuringItsCode_AndTheHostGetsItsOwnBack(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder();
        string target = Directory.CreateDirectory(Path.Combine(folder.Root, "elsewhere")).FullName;
        folder.Check("wandering", $$"""
            import os, posix
            from datadog_checks.base import AgentCheck

            TARGET = {{System.Text.Json.JsonSerializer.Serialize(target)}}

            def go(how):
                if how == 'chdir':
                    os.chdir(TARGET)
                elif how == 'posix_chdir':
                    posix.chdir(TARGET)
                elif how == 'fchdir':
                    fd = os.open(TARGET, os.O_RDONLY)
                    try:
                        os.fchdir(fd)
                    finally:
                        os.close(fd)

            class Wandering(AgentCheck):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    if self.instance.get('in_init'):
                        go('chdir')

                def check(self, instance):
                    go(instance['how'])
                    self.gauge('wandering.moved', os.getcwd() == TARGET, tags=['how:' + instance['how']])
                    if instance.get('then_raise'):
                        raise RuntimeError('raised after changing directory')
            """).Config("wandering", """
            instances:
              - how: chdir
                in_init: true
              - how: posix_chdir
              - how: fchdir
              - how: chdir
                then_raise: true
            """);
        string home = Environment.CurrentDirectory;
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);
        Assert.That(Environment.CurrentDirectory, Is.EqualTo(home), "restored after the constructor that changed it");

        foreach (var check in checks)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(Environment.CurrentDirectory, Is.EqualTo(home), $"restored after {check.Id}'s run ({result.Error ?? "succeeded"})");
        }

        Assert.That(sender.Metrics.Select(m => (m.Tags[0], m.Value)), Is.EquivalentTo(new[]
        {
            ("how:chdir", 1.0), ("how:posix_chdir", 1.0), ("how:fchdir", 1.0), ("how:chdir", 1.0),
        }), "each run saw the directory it changed to");
        using var gil = host.Runtime.AcquireGil();
        using var os = PyObject.Import("os");
        using var cwd = os.CallMethod("getcwd");
        Assert.That(cwd.As<string>(), Is.EqualTo(home), "Python agrees");
        using var chdir = os.GetAttr("chdir");
        using var name = chdir.GetAttr("__name__");
        Assert.That(name.As<string>(), Is.EqualTo("chdir"), "the wrapper keeps the function's name");
    });
}
