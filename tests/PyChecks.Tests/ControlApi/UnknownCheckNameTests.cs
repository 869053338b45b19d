using System.Net;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.ControlApi;

/// <summary>A run-once of a name nothing configures: a JSON 404 that suggests the configured names close to it.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class UnknownCheckNameTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunOnce_OfAMisspelledName_Is404_WithTheCloseConfiguredNames(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // 'ghost_check' is configured but has no module: it is not scheduled, yet it is a configured name.
        var folder = LocalApiTests.Folder().Config("ghost_check", "instances: [{}]\n");
        var (hosted, client, _) = LocalApiTests.StartOnSocket(folder);
        using (hosted)
        using (client)
        {
            var misspelled = client.Post("checks/prboe/run").Expect(HttpStatusCode.NotFound, "check_not_found");
            var error = misspelled.Json.GetProperty("error");
            Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("no configured check is named prboe; did you mean probe?"));
            Assert.That(error.GetProperty("suggestions").EnumerateArray().Select(static s => s.GetString()), Is.EqualTo(new[] { "probe" }));

            var unloaded = client.Post("checks/ghost_chekc/run").Expect(HttpStatusCode.NotFound, "check_not_found");
            Assert.That(unloaded.Json.GetProperty("error").GetProperty("suggestions").EnumerateArray().Select(static s => s.GetString()), Is.EqualTo(new[] { "ghost_check" }));

            var far = client.Post("checks/kafka_consumer/run").Expect(HttpStatusCode.NotFound, "check_not_found");
            Assert.That(far.Json.GetProperty("error").GetProperty("message").GetString(), Is.EqualTo("no configured check is named kafka_consumer"));
            Assert.That(far.Json.GetProperty("error").TryGetProperty("suggestions", out _), Is.False, "no suggestions member when nothing is close");

            var unconfigured = client.Post("checks/unconfigured/run").Expect(HttpStatusCode.NotFound, "check_not_found");
            Assert.That(unconfigured.Json.GetProperty("error").TryGetProperty("suggestions", out _), Is.False, "a module in checks.d is not a configured check");
            Assert.That(PythonModules.IsImported("unconfigured"), Is.False);
        }
    });
}
