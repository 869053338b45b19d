using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PyChecks.Soak;

/// <summary>
/// <c>api</c>: the local control API on its Unix socket, with its token, in a Generic Host with one configured check
/// (<c>probe</c>) and, in <c>checks.d</c>, a module no configuration names (<c>unconfigured</c>, which exits if
/// imported). 10,000 malformed requests (16 at a time: wrong content types, malformed JSON, bodies over the limit,
/// missing or wrong tokens, path tricks, unknown checks, wrong methods, and garbage bytes on raw connections) are
/// sent while four clients send valid requests (<c>GET /status</c>, <c>POST /checks/probe/run</c>) in a loop.
/// </summary>
/// <remarks>
/// Requirements: no 5xx at all; every malformed request answered with a 4xx (a raw connection may also just be
/// closed); every valid one succeeded (200, and the run's instance succeeded); no module was imported during the
/// storm other than the configured check's; the API still answers afterwards.
/// </remarks>
internal static class ApiScenario
{
    private const int Parallelism = 16;
    private const int ValidClients = 4;

    private const string ProbeCheck = """
        from datadog_checks.base import AgentCheck

        class ProbeCheck(AgentCheck):
            def check(self, instance):
                self.gauge('probe.value', 1.5, tags=['from:probe'])
        """;

    private const string ModuleNames = """
        import sys

        def names():
            return sorted(sys.modules)

        def loaded_from(folder):
            return sorted(n for n, m in list(sys.modules.items()) if (getattr(m, '__file__', None) or '').startswith(folder))
        """;

    private static readonly string Huge = "{\"pad\": \"" + new string('x', 70 * 1024) + "\"}";

    /// <summary>The malformed requests, each with the status the API documents for it (0: a raw connection, any 4xx or a close).</summary>
    private static readonly Malformed[] s_kinds =
    [
        new("content type text/plain", HttpStatusCode.UnsupportedMediaType, HttpMethod.Post, "reload", "{}", "text/plain"),
        new("content type form", HttpStatusCode.UnsupportedMediaType, HttpMethod.Post, "reload", "a=b", "application/x-www-form-urlencoded"),
        new("no content type", HttpStatusCode.UnsupportedMediaType, HttpMethod.Post, "reload", "{}", null),
        new("malformed JSON", HttpStatusCode.BadRequest, HttpMethod.Post, "reload", "{not json", "application/json"),
        new("JSON with a trailing comma", HttpStatusCode.BadRequest, HttpMethod.Post, "reload", "{\"a\": 1,}", "application/json"),
        new("JSON not an object", HttpStatusCode.BadRequest, HttpMethod.Post, "reload", "[1]", "application/json"),
        new("malformed JSON to run", HttpStatusCode.BadRequest, HttpMethod.Post, "checks/probe/run", "{\"a\":", "application/json"),
        new("body over 64 KiB", HttpStatusCode.RequestEntityTooLarge, HttpMethod.Post, "reload", Huge, "application/json"),
        new("chunked body over 64 KiB", HttpStatusCode.RequestEntityTooLarge, HttpMethod.Post, "reload", null, "application/json", Chunked: true),
        new("no token", HttpStatusCode.Unauthorized, HttpMethod.Post, "checks/probe/run", null, null, Token: ""),
        new("wrong token", HttpStatusCode.Unauthorized, HttpMethod.Post, "checks/probe/run", null, null, Token: new string('0', 64)),
        new("token as Basic", HttpStatusCode.Unauthorized, HttpMethod.Post, "reload", "{}", "application/json", Token: "basic"),
        new("path ../../os", HttpStatusCode.BadRequest, HttpMethod.Post, "checks/..%2F..%2Fos/run", null, null),
        new("path %2e%2e%2fos", HttpStatusCode.BadRequest, HttpMethod.Post, "checks/%2e%2e%2fos/run", null, null),
        new("path %2E%2E (the client resolves it: POST /run)", HttpStatusCode.NotFound, HttpMethod.Post, "checks/%2E%2E/run", null, null),
        new("path ../unconfigured", HttpStatusCode.BadRequest, HttpMethod.Post, "checks/..%2F..%2Funconfigured/run", null, null),
        new("check id ../../etc/passwd", HttpStatusCode.BadRequest, HttpMethod.Get, "checks/..%2F..%2Fetc%2Fpasswd", null, null),
        new("query check=../os", HttpStatusCode.BadRequest, HttpMethod.Get, "metrics/recent?check=../os", null, null),
        new("unknown check os", HttpStatusCode.NotFound, HttpMethod.Post, "checks/os/run", null, null),
        new("unconfigured module", HttpStatusCode.NotFound, HttpMethod.Post, "checks/unconfigured/run", null, null),
        new("unknown check sys", HttpStatusCode.NotFound, HttpMethod.Post, "checks/sys/run", null, null),
        new("unknown check id", HttpStatusCode.NotFound, HttpMethod.Get, "checks/probe:0123", null, null),
        new("unknown route", HttpStatusCode.NotFound, HttpMethod.Get, "nope/nope", null, null),
        new("wrong method", HttpStatusCode.MethodNotAllowed, HttpMethod.Delete, "status", null, null),
        new("GET on run", HttpStatusCode.MethodNotAllowed, HttpMethod.Get, "checks/probe/run", null, null),
        new("raw: garbage line", 0, null, "GARBAGE\r\n\r\n", null, null),
        new("raw: random bytes", 0, null, "", null, null),
        new("raw: TLS client hello", 0, null, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", null, null),
        new("raw: negative Content-Length", 0, null, "POST /reload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: -5\r\n\r\n", null, null),
        new("raw: /../../os unnormalized", 0, null, "POST /checks/../../os/run HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", null, null),
        new("raw: /checks/%2E%2E/run as sent", 0, null, "POST /checks/%2E%2E/run HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", null, null),
        new("raw: 20 KiB header", 0, null, "GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: " + new string('a', 20 * 1024) + "\r\n\r\n", null, null),
        new("raw: NUL in path", 0, null, "GET /checks/\0/run HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", null, null),
    ];

    public static void Run(SoakArguments arguments, Verdict verdict)
    {
        int count = (int)(arguments.Scale ?? 10_000);
        using var folder = new SoakFolder("api")
            .Check("probe", ProbeCheck)
            .Check("unconfigured", "raise SystemExit('imported!')")
            .Config("probe", "instances: [{min_collection_interval: 60}]");
        string socketPath = Path.Combine(folder.Root, "api.sock");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
        builder.Services.AddPyChecks(o => folder.Configure(o, arguments));
        builder.Services.AddPyChecksLocalApi(o =>
        {
            o.UnixSocketPath = socketPath;
            o.TokenFilePath = Path.Combine(folder.Root, "api.token");
        });
        using var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        try
        {
            Storm(host, folder, socketPath, count, verdict).GetAwaiter().GetResult();
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }

    private static async Task Storm(IHost host, SoakFolder folder, string socketPath, int count, Verdict verdict)
    {
        var runtime = host.Services.GetRequiredService<PythonRuntime>();
        var info = host.Services.GetRequiredService<PyChecksLocalApi>();
        string token = (await File.ReadAllTextAsync(info.TokenFilePath!).ConfigureAwait(false)).Trim();
        Console.WriteLine($"Python {runtime.Version.Major}.{runtime.Version.Minor}.{runtime.Version.Micro} from {runtime.Location.LibraryPath}; API on {info.UnixSocketPath}");
        Console.WriteLine($"{count:N0} malformed requests of {s_kinds.Length} kinds, {Parallelism} at a time, while {ValidClients} clients send GET /status and POST /checks/probe/run in a loop");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://localhost/"),
            Timeout = TimeSpan.FromSeconds(60),
        };

        using var modules = Python(runtime, () => PyObject.CreateModule("soak_module_names", ModuleNames));
        string checksFolder = folder.ChecksDirectory + Path.DirectorySeparatorChar;

        // Warm-up: every route the valid clients use, once; then the modules Python holds are the baseline.
        var warmStatus = await SendValid(http, token, run: false).ConfigureAwait(false);
        var warmRun = await SendValid(http, token, run: true).ConfigureAwait(false);
        verdict.Require(warmStatus.Ok && warmRun.Ok, $"the API answers before the storm (status: {warmStatus.Detail}; run: {warmRun.Detail})");
        var modulesBefore = Python(runtime, () => Names(modules, "names")).ToHashSet(StringComparer.Ordinal);

        var statuses = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        var unexpected = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var rawAnswers = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        long serverErrors = 0, malformedNot4xx = 0, rawClosed = 0, valid = 0, validFailed = 0;
        var statusLatency = new LatencyHistogram();
        var runLatency = new LatencyHistogram();
        using var stop = new CancellationTokenSource();

        var validClients = Enumerable.Range(0, ValidClients).Select(c => Task.Run(async () =>
        {
            bool run = c % 2 == 1;
            while (!stop.IsCancellationRequested)
            {
                long started = Stopwatch.GetTimestamp();
                var outcome = await SendValid(http, token, run).ConfigureAwait(false);
                (run ? runLatency : statusLatency).Record(Stopwatch.GetElapsedTime(started));
                Interlocked.Increment(ref valid);
                if (outcome.Status >= 500)
                {
                    Interlocked.Increment(ref serverErrors);
                }

                if (!outcome.Ok)
                {
                    Interlocked.Increment(ref validFailed);
                    failures.Enqueue($"valid {(run ? "POST /checks/probe/run" : "GET /status")}: {outcome.Detail}");
                }
            }
        })).ToList();

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var kind = s_kinds[i % s_kinds.Length];
            var (status, detail) = kind.Method is null
                ? await SendRaw(socketPath, kind, i).ConfigureAwait(false)
                : await SendMalformed(http, token, kind).ConfigureAwait(false);
            statuses.AddOrUpdate(status == 0 ? "closed" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, static (_, n) => n + 1);
            if (status == 0)
            {
                Interlocked.Increment(ref rawClosed);
            }

            if (kind.Method is null)
            {
                rawAnswers.AddOrUpdate($"{kind.Name[5..]}: {(status == 0 ? detail : status.ToString(System.Globalization.CultureInfo.InvariantCulture))}", 1, static (_, n) => n + 1);
            }

            if (status >= 500)
            {
                Interlocked.Increment(ref serverErrors);
            }

            bool refused = status is >= 400 and < 500 || (status == 0 && kind.Method is null);
            if (!refused)
            {
                Interlocked.Increment(ref malformedNot4xx);
                failures.Enqueue($"malformed '{kind.Name}': {status} {detail}");
            }
            else if (kind.Expected != 0 && status != (int)kind.Expected)
            {
                unexpected.AddOrUpdate($"{kind.Name}: {status} (documented {(int)kind.Expected})", 1, static (_, n) => n + 1);
            }
        }).ConfigureAwait(false);
        clock.Stop();
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(validClients).ConfigureAwait(false);

        var after = await SendValid(http, token, run: true).ConfigureAwait(false);
        var newModules = Python(runtime, () => Names(modules, "names")).Where(n => !modulesBefore.Contains(n)).ToList();
        var fromChecks = Python(runtime, () => Names(modules, "loaded_from", checksFolder));
        bool unconfiguredImported = Python(runtime, () => Names(modules, "names")).Contains("unconfigured");

        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"{count:N0} malformed requests in {seconds:F1} s ({count / seconds:N0}/s), alongside {valid:N0} valid ones ({valid / seconds:N0}/s)");
        Console.WriteLine("malformed, by answer: " + string.Join(", ", statuses.OrderBy(static s => s.Key, StringComparer.Ordinal).Select(static s => $"{s.Key}: {s.Value:N0}")));
        Console.WriteLine($"valid GET /status latency: {statusLatency.Describe()}");
        Console.WriteLine($"valid POST /checks/probe/run latency: {runLatency.Describe()}");
        Console.WriteLine("raw connections, by answer: " + string.Join("; ", rawAnswers.OrderBy(static r => r.Key, StringComparer.Ordinal).Select(static r => $"{r.Key} × {r.Value:N0}")));
        foreach (var (what, n) in unexpected.OrderBy(static u => u.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  a 4xx other than the documented one: {what} × {n:N0}");
        }

        foreach (string failure in failures.Take(10))
        {
            Console.WriteLine("  " + failure);
        }

        Console.WriteLine($"modules imported during the storm: {(newModules.Count == 0 ? "none" : string.Join(", ", newModules))}; loaded from checks.d: {string.Join(", ", fromChecks)}");
        verdict.Require(Interlocked.Read(ref serverErrors) == 0, $"no 5xx answer ({serverErrors:N0})");
        verdict.Require(malformedNot4xx == 0, $"every malformed request was refused with a 4xx, or its raw connection closed ({malformedNot4xx:N0} were not; {rawClosed:N0} raw connections closed without an answer)");
        verdict.Require(validFailed == 0 && valid > 0, $"every valid request succeeded ({valid - validFailed:N0} of {valid:N0})");
        verdict.Require(newModules.TrueForAll(static n => n == "probe" || n.EndsWith(".probe", StringComparison.Ordinal)) && !unconfiguredImported, $"no module outside the configured check was imported (new in sys.modules: {newModules.Count}; 'unconfigured' imported: {unconfiguredImported})");
        verdict.Require(fromChecks.TrueForAll(static n => n == "probe" || n.EndsWith(".probe", StringComparison.Ordinal) || n.EndsWith("_probe", StringComparison.Ordinal)), $"the only module from checks.d in sys.modules is the configured check's ({string.Join(", ", fromChecks)})");
        verdict.Require(after.Ok, $"the API still serves after the storm ({after.Detail})");
    }

    private static async Task<(bool Ok, int Status, string Detail)> SendValid(HttpClient http, string token, bool run)
    {
        using var request = new HttpRequestMessage(run ? HttpMethod.Post : HttpMethod.Get, run ? "checks/probe/run" : "status");
        if (run)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (false, (int)response.StatusCode, $"{(int)response.StatusCode}: {text}");
            }

            if (run)
            {
                using var json = JsonDocument.Parse(text);
                var instances = json.RootElement.GetProperty("instances");
                if (instances.GetArrayLength() != 1 || !instances[0].GetProperty("succeeded").GetBoolean())
                {
                    return (false, 200, "the run did not succeed: " + text);
                }
            }

            return (true, 200, "200");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            return (false, 0, e.GetType().Name + ": " + e.Message);
        }
    }

    private static async Task<(int Status, string Detail)> SendMalformed(HttpClient http, string token, Malformed kind)
    {
        using var request = new HttpRequestMessage(kind.Method!, kind.Path);
        if (kind.Chunked)
        {
            request.Content = new StreamContent(new MemoryStream(new byte[200 * 1024]));
            request.Headers.TransferEncodingChunked = true;
        }
        else if (kind.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(kind.Body));
        }

        if (request.Content is not null && kind.ContentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(kind.ContentType);
        }

        if (kind.Token == "basic")
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
        }
        else if ((kind.Token ?? token) is { Length: > 0 } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        try
        {
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return ((int)response.StatusCode, text.Length > 200 ? text[..200] : text);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return (-1, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// Writes the kind's bytes on a raw connection and reads the answer: a status, or 0 when the server closes the
    /// connection without one. Bytes the server still waits on (an unfinished request line) get a half-close after
    /// a second, which must end the connection.
    /// </summary>
    private static async Task<(int Status, string Detail)> SendRaw(string socketPath, Malformed kind, int seed)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).ConfigureAwait(false);
            byte[] bytes = kind.Path.Length > 0 ? Encoding.Latin1.GetBytes(kind.Path) : RandomBytes(seed);
            await socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            var received = new List<byte>();
            byte[] buffer = new byte[4096];
            bool halfClosed = false;
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                var receive = socket.ReceiveAsync(buffer, SocketFlags.None);
                if (!halfClosed && await Task.WhenAny(receive, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false) != receive)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    halfClosed = true;
                }

                int read = await receive.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, read));
                string text = Encoding.Latin1.GetString([.. received]);
                if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break; // the status line and headers are in
                }
            }

            string reply = Encoding.Latin1.GetString([.. received]);
            if (reply.Length == 0)
            {
                return (0, halfClosed ? "closed after a half-close" : "closed");
            }

            return reply.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(reply.AsSpan(9, 3), out int status)
                ? (status, reply.Split('\n')[0].Trim())
                : (-1, "not HTTP: " + reply[..Math.Min(80, reply.Length)]);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            return (0, "reset");
        }
        catch (TimeoutException)
        {
            return (-1, "no answer and no close within 30 s");
        }
    }

    private static byte[] RandomBytes(int seed)
    {
        byte[] bytes = new byte[1 + (seed % 2048)];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static T Python<T>(PythonRuntime runtime, Func<T> work)
    {
        using (runtime.AcquireGil())
        {
            return work();
        }
    }

    private static List<string> Names(PyObject module, string function, string? argument = null)
    {
        using var callable = module.GetAttr(function);
        using var arg = argument is null ? null : PyObject.From(argument);
        using var result = arg is null ? callable.Call() : callable.Call([arg]);
        return result.ToClr() is System.Collections.IEnumerable items ? [.. items.Cast<object?>().Select(static o => o?.ToString() ?? string.Empty)] : [];
    }

    /// <summary>One kind of malformed request; <see cref="Method"/> null means raw bytes (<see cref="Path"/>, or random ones when empty).</summary>
    private sealed record Malformed(string Name, HttpStatusCode Expected, HttpMethod? Method, string Path, string? Body, string? ContentType, string? Token = null, bool Chunked = false);
}
