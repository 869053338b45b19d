using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.ControlApi;

/// <summary>The local listener on a real Unix domain socket: every route, and every way a request can be refused.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LocalApiTests
{
    internal const string ProbeCheck = """
        from datadog_checks.base import AgentCheck

        class ProbeCheck(AgentCheck):
            def check(self, instance):
                self.gauge('probe.value', 1.5, tags=['from:probe'])
                self.service_check('probe.up', AgentCheck.OK, message='fine')
                self.event({'msg_title': 'probed', 'msg_text': 'text'})
        """;

    internal const string GateCheck = """
        import time
        from datadog_checks.base import AgentCheck

        class GateCheck(AgentCheck):
            def check(self, instance):
                for _ in range(3000):
                    time.sleep(0.01)  # a loop, not one wait in C: the cancel's interrupt lands between two sleeps
        """;

    /// <summary>A folder with <c>probe</c> (configured), <c>gate</c> (configured, blocks) and <c>unconfigured</c> (exits if imported).</summary>
    internal static CheckFolder Folder(bool gate = false)
    {
        var folder = new CheckFolder()
            .Check("probe", ProbeCheck).Config("probe", "instances: [{min_collection_interval: 60, tags: ['env:test']}]")
            .Check("unconfigured", "raise SystemExit('imported!')");
        if (gate)
        {
            folder.Check("gate", GateCheck).Config("gate", "instances: [{min_collection_interval: 60}]");
        }

        return folder;
    }

    /// <summary>A host on <paramref name="folder"/> serving the API on a socket in the folder.</summary>
    internal static (HostedChecks Hosted, ApiClient Client, PyChecksLocalApi Info) StartOnSocket(CheckFolder folder, Action<PyChecksApiOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var hosted = HostedChecks.Start(folder, services: s =>
        {
            services?.Invoke(s);
            s.AddPyChecksLocalApi(o =>
            {
                o.UnixSocketPath = Path.Combine(folder.Root, "api.sock");
                o.TokenFilePath = Path.Combine(folder.Root, "api.token");
                configure?.Invoke(o);
            });
        });
        var info = hosted.Host.Services.GetRequiredService<PyChecksLocalApi>();
        string token = File.ReadAllText(info.TokenFilePath!);
        return (hosted, ApiClient.OverSocket(info.UnixSocketPath!, token), info);
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LocalApi_OnAUnixSocket_ServesEveryRoute(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = Folder(gate: true);
        var (hosted, client, info) = StartOnSocket(folder);
        string socket = info.UnixSocketPath!, tokenFile = info.TokenFilePath!;
        using (hosted)
        using (client)
        {
            Eventually.That(() => hosted.CommitsOf("probe") == 1, "the probe's first scheduled run");
            Eventually.That(() => hosted.StatusOf("gate").State == CheckState.Running, "the gate's first run, blocked");

            Assert.That(File.GetUnixFileMode(socket), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "socket mode 0600");
            Assert.That(File.GetUnixFileMode(tokenFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "token file mode 0600");
            Assert.That(client.Token, Does.Match("^[0-9a-f]{64}$"), "256 random bits, hex");
            Assert.That(info.IsListening, Is.True);

            var status = client.Get("status").Expect(HttpStatusCode.OK).Json;
            Assert.That(status.GetProperty("python").GetProperty("version").GetString(), Does.StartWith("3."));
            Assert.That(status.GetProperty("python").GetProperty("libraryPath").GetString(), Is.EqualTo(ChildPython.Library));
            Assert.That(status.GetProperty("uptimeSeconds").GetDouble(), Is.GreaterThan(0));
            Assert.That(status.GetProperty("scheduler").GetProperty("enabled").GetBoolean(), Is.True);
            Assert.That(status.GetProperty("scheduler").GetProperty("checks").GetInt32(), Is.EqualTo(2));
            Assert.That(status.GetProperty("scheduler").GetProperty("instances").GetInt32(), Is.EqualTo(2));
            Assert.That(status.GetProperty("scheduler").GetProperty("running").GetInt32(), Is.EqualTo(1));
            Assert.That(status.GetProperty("scheduler").GetProperty("standInWorkers").GetInt32(), Is.Zero);
            Assert.That(status.GetProperty("scheduler").GetProperty("maxStandInWorkers").GetInt32(), Is.EqualTo(new PyChecksOptions().MaxStandInWorkers));

            var checks = client.Get("checks").Expect(HttpStatusCode.OK).Json.GetProperty("checks");
            Assert.That(checks.GetArrayLength(), Is.EqualTo(2));
            var probe = checks.EnumerateArray().Single(c => c.GetProperty("checkName").GetString() == "probe");
            string probeId = probe.GetProperty("checkId").GetString()!;
            Assert.That(probe.GetProperty("intervalSeconds").GetDouble(), Is.EqualTo(60));
            Assert.That(probe.GetProperty("lastOutcome").GetString(), Is.EqualTo("ok"));
            Assert.That(probe.GetProperty("state").GetString(), Is.EqualTo("scheduled"));
            Assert.That(probe.GetProperty("lastMetrics").GetInt32(), Is.EqualTo(1));
            Assert.That(probe.GetProperty("lastGilWaitSeconds").GetDouble(), Is.GreaterThanOrEqualTo(0).And.LessThan(60), "the first run's wait for the GIL");
            Assert.That(probe.GetProperty("maxGilWaitSeconds").GetDouble(), Is.EqualTo(probe.GetProperty("lastGilWaitSeconds").GetDouble()), "one run: its wait is the longest");

            var one = client.Get("checks/" + Uri.EscapeDataString(probeId)).Expect(HttpStatusCode.OK).Json;
            Assert.That(one.GetProperty("checkId").GetString(), Is.EqualTo(probeId));

            foreach (string? body in new[] { null, "{}", """{"ignored": [1, 2]}""" })
            {
                var run = client.Post("checks/probe/run", body).Expect(HttpStatusCode.OK).Json;
                Assert.That(run.GetProperty("checkName").GetString(), Is.EqualTo("probe"));
                var instance = run.GetProperty("instances").EnumerateArray().Single();
                Assert.That(instance.GetProperty("checkId").GetString(), Is.EqualTo(probeId));
                Assert.That(instance.GetProperty("succeeded").GetBoolean(), Is.True);
                var metric = instance.GetProperty("metrics").EnumerateArray().Single();
                Assert.That(metric.GetProperty("name").GetString(), Is.EqualTo("probe.value"));
                Assert.That(metric.GetProperty("type").GetString(), Is.EqualTo("gauge"));
                Assert.That(metric.GetProperty("value").GetDouble(), Is.EqualTo(1.5));
                Assert.That(metric.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "from:probe", "env:test" }));
                Assert.That(instance.GetProperty("serviceChecks")[0].GetProperty("status").GetString(), Is.EqualTo("ok"));
                Assert.That(instance.GetProperty("events")[0].GetProperty("title").GetString(), Is.EqualTo("probed"));
            }

            var recent = client.Get("metrics/recent?check=probe").Expect(HttpStatusCode.OK).Json;
            var samples = recent.GetProperty("samples").EnumerateArray().ToList();
            Assert.That(samples.Select(s => s.GetProperty("kind").GetString()), Is.EqualTo(new[] { "metric", "service_check" }), "the scheduled run's samples; run-once does not reach the senders");
            Assert.That(samples[0].GetProperty("value").GetDouble(), Is.EqualTo(1.5));
            Assert.That(samples[1].GetProperty("status").GetString(), Is.EqualTo("ok"));
            Assert.That(client.Get("metrics/recent").Expect(HttpStatusCode.OK).Json.GetProperty("samples").GetArrayLength(), Is.EqualTo(2));
            Assert.That(client.Get("metrics/recent?check=gate").Expect(HttpStatusCode.OK).Json.GetProperty("samples").GetArrayLength(), Is.Zero);

            string gateId = hosted.StatusOf("gate").CheckId;
            var cancel = client.Post($"checks/{Uri.EscapeDataString(gateId)}/cancel").Expect(HttpStatusCode.OK).Json;
            Assert.That(cancel.GetProperty("cancelled").GetBoolean(), Is.True);
            Eventually.That(() => hosted.StatusOf("gate").LastOutcome == CheckRunOutcome.Cancelled, "the gate's run cancelled");
            Assert.That(client.Get("checks/" + Uri.EscapeDataString(gateId)).Json.GetProperty("lastOutcome").GetString(), Is.EqualTo("cancelled"));
            client.Post($"checks/{Uri.EscapeDataString(gateId)}/cancel").Expect(HttpStatusCode.Conflict, "not_running");

            var reload = client.Post("reload", "{}").Expect(HttpStatusCode.OK).Json;
            Assert.That(reload.GetProperty("unchanged").GetInt32(), Is.EqualTo(2));
            Assert.That(reload.GetProperty("added").GetArrayLength(), Is.Zero);

            folder.Config("probe", "instances: [{min_collection_interval: 60, tags: ['env:test']}, {min_collection_interval: 30}]");
            reload = client.Post("reload").Expect(HttpStatusCode.OK).Json;
            Assert.That(reload.GetProperty("added").GetArrayLength(), Is.EqualTo(1));

            var memory = client.Get("memory").Expect(HttpStatusCode.OK).Json;
            Assert.That(memory.GetProperty("native").GetProperty("allocations").GetInt64(), Is.GreaterThan(0));
            Assert.That(memory.GetProperty("native").GetProperty("inUseBytes").GetInt64(), Is.GreaterThan(0));
            Assert.That(memory.GetProperty("python").GetProperty("allocatedBlocks").GetInt64(), Is.GreaterThan(0), "a fresh Python reading");
            Assert.That(client.Get("status").Json.GetProperty("memory").GetProperty("nativeInUseBytes").GetInt64(), Is.GreaterThan(0));
        }

        Assert.That(File.Exists(socket), Is.False, "the socket is removed at stop");
        Assert.That(File.Exists(tokenFile), Is.False, "the token file is removed at stop");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LocalApi_RefusesBadRequests_WithJsonErrors_AndNeverImportsUnconfiguredNames(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, client, info) = StartOnSocket(Folder());
        using (hosted)
        using (client)
        {
            // Token.
            var missing = client.Send(HttpMethod.Post, "reload", token: string.Empty).Expect(HttpStatusCode.Unauthorized, "unauthorized");
            Assert.That(missing.Headers["WWW-Authenticate"], Is.EqualTo("Bearer"));
            Assert.That(missing.Json.GetProperty("error").GetProperty("message").GetString(), Is.EqualTo(
                $"this request needs the control API token: send the header 'Authorization: Bearer <token>' with the token the host wrote to {info.TokenFilePath} at start"));
            var wrong = client.Send(HttpMethod.Post, "reload", token: new string('0', 64)).Expect(HttpStatusCode.Unauthorized, "unauthorized");
            Assert.That(wrong.Json.GetProperty("error").GetProperty("message").GetString(), Does.StartWith("the Authorization header was not accepted: send 'Authorization: Bearer <token>' with the token the host wrote to /"));
            client.Send(HttpMethod.Post, "reload", token: client.Token + "0").Expect(HttpStatusCode.Unauthorized, "unauthorized");
            client.Send(HttpMethod.Post, "checks/probe/run", token: "x").Expect(HttpStatusCode.Unauthorized, "unauthorized");
            client.Send(HttpMethod.Post, "reload", configure: r => r.Headers.Authorization = new("Basic", client.Token)).Expect(HttpStatusCode.Unauthorized, "unauthorized");
            client.Send(HttpMethod.Get, "status", token: string.Empty).Expect(HttpStatusCode.OK);

            // Bodies.
            client.Send(HttpMethod.Post, "reload", "{}", "text/plain").Expect(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
            client.Send(HttpMethod.Post, "reload", "{}", "application/x-www-form-urlencoded").Expect(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
            client.Send(HttpMethod.Post, "reload", "{}", contentType: null).Expect(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
            client.Send(HttpMethod.Post, "reload", "{}", "application/json; charset=latin1").Expect(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
            client.Send(HttpMethod.Post, "reload", "{}", "application/json; charset=utf-8").Expect(HttpStatusCode.OK);
            client.Post("reload", "{not json").Expect(HttpStatusCode.BadRequest, "malformed_json");
            client.Post("reload", "{\"a\": 1,}").Expect(HttpStatusCode.BadRequest, "malformed_json");
            client.Post("reload", new string('[', 100) + new string(']', 100)).Expect(HttpStatusCode.BadRequest, "malformed_json");
            client.Post("reload", "[1]").Expect(HttpStatusCode.BadRequest, "invalid_body");
            client.Post("reload", "{\"pad\": \"" + new string('x', 70 * 1024) + "\"}").Expect(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
            using (var chunked = new HttpRequestMessage(HttpMethod.Post, "reload"))
            {
                chunked.Content = new StreamContent(new MemoryStream(new byte[200 * 1024]));
                chunked.Content.Headers.ContentType = new("application/json");
                chunked.Headers.TransferEncodingChunked = true;
                chunked.Headers.Authorization = new("Bearer", client.Token);
                client.Send(chunked).Expect(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
            }

            // Routes and methods.
            client.Get("nope").Expect(HttpStatusCode.NotFound, "not_found");
            client.Get("").Expect(HttpStatusCode.NotFound, "not_found");
            client.Get("checks/probe/run/more").Expect(HttpStatusCode.NotFound, "not_found");
            var post = client.Post("status").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            Assert.That(post.Allow, Is.EqualTo(new[] { "GET" }));
            client.Get("reload").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            client.Get("checks/probe/run").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            client.Send(HttpMethod.Delete, "checks/probe:abc").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            client.Send(HttpMethod.Put, "reload", "{}").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");

            // Unknown checks, and names that are not check names.
            client.Get("checks/probe:0123").Expect(HttpStatusCode.NotFound, "check_not_found");
            client.Post("checks/probe:0123/cancel").Expect(HttpStatusCode.NotFound, "check_not_found");
            client.Get("checks/..%2F..%2Fetc%2Fpasswd").Expect(HttpStatusCode.BadRequest, "invalid_check_id");
            foreach (string name in new[] { "os", "unconfigured", "PROBE", "probe.py", "nope", "sys" })
            {
                client.Post($"checks/{name}/run").Expect(HttpStatusCode.NotFound, "check_not_found");
            }

            foreach (string name in new[] { "..%2F..%2Fos", "%2E%2E%2Fos", "..%2F..%2Funconfigured", "a%2Fb", ".hidden", "a..b", "a%5Cb", "a%20b", "unconfigured.py%2F" })
            {
                client.Post($"checks/{name}/run").Expect(HttpStatusCode.BadRequest, "invalid_check_name");
            }

            client.Post("checks/../run").Expect(HttpStatusCode.NotFound, "not_found");                    // the client resolves '..': POST /run
            Assert.That(client.Post("checks/%00/run").Status, Is.EqualTo(HttpStatusCode.BadRequest));      // the server refuses a NUL in a path itself

            client.Get("metrics/recent?check=../os").Expect(HttpStatusCode.BadRequest, "invalid_check_name");
            client.Get("metrics/recent?check=a&check=b").Expect(HttpStatusCode.BadRequest, "invalid_query");

            Assert.That(PythonModules.IsImported("unconfigured"), Is.False, "the unconfigured module was never imported");

            client.Get("status").Expect(HttpStatusCode.OK);
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LocalApi_AfterABurstOfMalformedRequests_AnswersNo500_AndStillServes(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, client, info) = StartOnSocket(Folder());
        using (hosted)
        using (client)
        {
            string[] paths = ["reload", "checks/probe/run", "checks/..%2Fos/run", "status", "nope/nope", "checks/%00/cancel", "metrics/recent?check=%FF", "checks/" + new string('a', 5000)];
            string[] bodies = ["{", "\"\"", "null", "{\"a\":", "\u0000\u0001", "[[[[", "{}}", "\uFFFD\uFFFD"];
            string[] types = ["application/json", "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "application/json; charset=utf-8"];
            var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
            Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
            {
                var method = (i % 3) switch { 0 => HttpMethod.Post, 1 => HttpMethod.Put, _ => HttpMethod.Get };
                string? token = i % 2 == 0 ? null : "wrong";
                var response = client.Send(method, paths[i % paths.Length], bodies[i % bodies.Length], types[i % types.Length], token);
                statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
                Assert.That((int)response.Status, Is.LessThan(500), $"{method} {paths[i % paths.Length]}: {response.Text}");
                Assert.That(response.MediaType == "application/json" || response.Status == HttpStatusCode.BadRequest, Is.True, "JSON, or the server's own 400 for an unreadable request");
            });
            TestContext.Out.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}")));

            // Garbage that is not HTTP at all, on raw connections.
            for (int i = 0; i < 200; i++)
            {
                using var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                raw.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(info.UnixSocketPath!));
                raw.Send(System.Text.Encoding.ASCII.GetBytes(i % 2 == 0 ? "GARBAGE\r\n\r\n" : "POST /reload HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n"));
                // The answer is read before closing: the server takes a half-closed connection for an abort and does not answer it.
                raw.ReceiveTimeout = 30_000;
                byte[] buffer = new byte[4096];
                int read = raw.Receive(buffer);
                string reply = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
                Assert.That(reply, Does.StartWith("HTTP/1.1 4"), "a 4xx for bytes that are not a valid request");
            }

            client.Get("status").Expect(HttpStatusCode.OK);
            Assert.That(client.Post("checks/probe/run").Expect(HttpStatusCode.OK).Json.GetProperty("instances").GetArrayLength(), Is.EqualTo(1));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LocalApi_RemovesAStaleSocketLeftByAProcessThatEnded(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = Folder();
        string stale = Path.Combine(folder.Root, "api.sock");
        using (var python = System.Diagnostics.Process.Start(ChildPython.Executable, ["-c", $"import socket; socket.socket(socket.AF_UNIX).bind({System.Text.Json.JsonSerializer.Serialize(stale)})"]))
        {
            python.WaitForExit();
        }

        Assert.That(File.Exists(stale), Is.True, "the stale socket is there before start");
        var (hosted, client, _) = StartOnSocket(folder);
        using (hosted)
        using (client)
        {
            client.Get("status").Expect(HttpStatusCode.OK);
        }
    });
}
