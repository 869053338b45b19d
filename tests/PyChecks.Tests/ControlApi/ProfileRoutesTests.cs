using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.ControlApi;

/// <summary>The profiling routes of the control API, over a real Unix socket: start, list, get, results, cancel, and every refusal.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ProfileRoutesTests
{
    private const string BusyCheck = """
        import time
        from datadog_checks.base import AgentCheck

        def hot(until):
            while time.perf_counter() < until:
                pass

        class BusyCheck(AgentCheck):
            def check(self, instance):
                hot(time.perf_counter() + 0.2)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ProfileRoutes_StartListGetResultAndCancel_WithTheirRefusals(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder().Check("busy", BusyCheck).Config("busy", "instances: [{min_collection_interval: 3600}]");
        var hosted = HostedChecks.Start(folder, o => o.Profiler.MaxConcurrentTasks = 1, services: s => s.AddPyChecksLocalApi(o =>
        {
            o.UnixSocketPath = Path.Combine(folder.Root, "api.sock");
            o.TokenFilePath = Path.Combine(folder.Root, "api.token");
        }));
        using (hosted)
        using (var client = ApiClient.OverSocket(Path.Combine(folder.Root, "api.sock"), File.ReadAllText(Path.Combine(folder.Root, "api.token"))))
        {
            Eventually.That(() => hosted.CommitsOf("busy") == 1, "the busy check's first scheduled run");
            string busy = hosted.StatusOf("busy").CheckId, probe = hosted.StatusOf("probe").CheckId;

            // Refusals before anything starts.
            client.Send(HttpMethod.Post, "profiles", $$"""{"checkId": "{{busy}}"}""", token: string.Empty).Expect(HttpStatusCode.Unauthorized, "unauthorized");
            client.Post("profiles").Expect(HttpStatusCode.BadRequest, "invalid_profile_request");
            client.Post("profiles", """{"checkId": 42}""").Expect(HttpStatusCode.BadRequest, "invalid_profile_request");
            var typo = client.Post("profiles", $$"""{"checkId": "{{busy}}", "interval": 0.01}""").Expect(HttpStatusCode.BadRequest, "invalid_profile_request").Json;
            Assert.That(typo.GetProperty("error").GetProperty("message").GetString(), Does.Contain("unknown member 'interval'"));
            var range = client.Post("profiles", $$"""{"checkId": "{{busy}}", "intervalSeconds": 0.001}""").Expect(HttpStatusCode.BadRequest, "invalid_profile_request").Json;
            Assert.That(range.GetProperty("error").GetProperty("field").GetString(), Is.EqualTo("intervalSeconds"));
            Assert.That(range.GetProperty("error").GetProperty("message").GetString(), Does.Contain("between 10 ms and 1000 ms"));
            client.Post("profiles", """{"checkId": "busy:nope"}""").Expect(HttpStatusCode.NotFound, "check_not_found");

            // Start; the same check again is a conflict; another check is over the limit of one.
            var started = client.Post("profiles", $$"""{"checkId": "{{busy}}", "durationSeconds": 60, "maxDepth": 64}""").Expect(HttpStatusCode.Created);
            var task = started.Json;
            string id = task.GetProperty("id").GetString()!;
            Assert.That(task.GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That((task.GetProperty("durationSeconds").GetDouble(), task.GetProperty("intervalSeconds").GetDouble(), task.GetProperty("maxDepth").GetInt32()), Is.EqualTo((60.0, 0.01, 64)));
            Assert.That(started.Headers["Location"], Is.EqualTo("/profiles/" + id));
            client.Post("profiles", $$"""{"checkId": "{{busy}}"}""").Expect(HttpStatusCode.Conflict, "profile_conflict");
            client.Post("profiles", $$"""{"checkId": "{{probe}}"}""").Expect(HttpStatusCode.TooManyRequests, "too_many_profiles");

            // A run of the check is profiled.
            client.Post("checks/busy/run").Expect(HttpStatusCode.OK);
            var running = client.Get("profiles/" + id).Expect(HttpStatusCode.OK).Json;
            Assert.That(running.GetProperty("runs").GetInt32(), Is.EqualTo(1));
            Assert.That(running.GetProperty("quality").GetProperty("samples").GetInt64(), Is.GreaterThan(0));
            Assert.That(client.Get("profiles").Expect(HttpStatusCode.OK).Json.GetProperty("profiles").EnumerateArray().Select(p => p.GetProperty("id").GetString()), Is.EqualTo(new[] { id }));

            // Results in the four formats.
            var folded = client.Get($"profiles/{id}/result?format=folded").Expect(HttpStatusCode.OK);
            Assert.That(folded.MediaType, Is.EqualTo("text/plain"));
            Assert.That(folded.Text.Split('\n')[0], Does.Match(@";hot \(.*busy\.py:\d+\) \d+$"));
            Assert.That(client.Get($"profiles/{id}/result?format=folded&lines=false").Expect(HttpStatusCode.OK).Text.Split('\n')[0], Does.Match(@";hot \(.*busy\.py\) \d+$"));
            var speedscope = client.Get($"profiles/{id}/result?format=speedscope").Expect(HttpStatusCode.OK).Json;
            Assert.That(speedscope.GetProperty("profiles")[0].GetProperty("type").GetString(), Is.EqualTo("sampled"));
            var native = client.Get($"profiles/{id}/result").Expect(HttpStatusCode.OK).Json;
            Assert.That(native.GetProperty("runs").GetArrayLength(), Is.EqualTo(1), "json is the default format");
            var svg = client.Get($"profiles/{id}/result?format=svg").Expect(HttpStatusCode.OK);
            Assert.That(svg.MediaType, Is.EqualTo("image/svg+xml"));
            PyChecks.Tests.Profiling.FlameGraphSvg.AssertMatches(svg.Text, client.Get($"profiles/{id}/result?format=folded").Text);
            client.Get($"profiles/{id}/result?format=pprof").Expect(HttpStatusCode.BadRequest, "invalid_query");
            client.Get($"profiles/{id}/result?lines=maybe").Expect(HttpStatusCode.BadRequest, "invalid_query");

            // Cancel: token needed; unknown and malformed ids; the slot frees.
            client.Send(HttpMethod.Delete, "profiles/" + id, token: string.Empty).Expect(HttpStatusCode.Unauthorized, "unauthorized");
            var cancelled = client.Send(HttpMethod.Delete, "profiles/" + id).Expect(HttpStatusCode.OK).Json;
            Assert.That(cancelled.GetProperty("state").GetString(), Is.EqualTo("cancelled"));
            client.Send(HttpMethod.Delete, "profiles/0123456789abcdef").Expect(HttpStatusCode.NotFound, "profile_not_found");
            client.Get("profiles/0123456789abcdef/result").Expect(HttpStatusCode.NotFound, "profile_not_found");
            client.Get("profiles/NOT-AN-ID").Expect(HttpStatusCode.BadRequest, "invalid_profile_id");
            client.Post("profiles", $$"""{"checkId": "{{probe}}"}""").Expect(HttpStatusCode.Created);

            var wrongMethod = client.Send(HttpMethod.Put, "profiles").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            Assert.That(wrongMethod.Allow, Is.EqualTo(new[] { "GET", "POST" }));
            Assert.That(client.Send(HttpMethod.Post, $"profiles/{id}").Expect(HttpStatusCode.MethodNotAllowed).Allow, Is.EqualTo(new[] { "GET", "DELETE" }));
        }
    });
}
