using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using PyChecks.AspNetCore.Json;
using PyChecks.AspNetCore.Listener;

namespace PyChecks.Tests.ControlApi;

/// <summary>
/// What is refused around the routes: headers and request lines over the listener's limits get JSON errors like every
/// other refusal; what the server rejects before any middleware runs (a NUL in the path, requests beyond its own
/// limits) gets the server's bare answer, as documented; a JSON member given twice is a 400 naming it. Raw HTTP over
/// the real Unix socket, so that nothing in a client library tidies the requests up.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ServerRefusalTests
{
    [Test]
    public void AHugeHeader_IsRefusedWithAJson431_UpToTheServersOwnLimit_ThenWithItsBare431()
    {
        using var host = ListenerOnlyHost.StartIn(NewFolder());
        string json = Raw(host, Request("GET /status", $"X-Big: {new string('a', 100 * 1024)}"));
        AssertJsonError(json, 431, "Request Header Fields Too Large", "request_headers_too_large");

        string many = Raw(host, Request("GET /status", [.. Enumerable.Range(0, 60).Select(i => $"X-H{i}: {i}")]));
        AssertJsonError(many, 431, "Request Header Fields Too Large", "request_headers_too_large");

        string bare = Raw(host, Request("GET /status", $"X-Big: {new string('a', 200 * 1024)}"));
        AssertBare(bare, 431, "Request Header Fields Too Large");
    }

    [Test]
    public void ALongRequestTarget_IsRefusedWithAJson414_UpToTheServersOwnLimit_ThenWithItsBare414()
    {
        using var host = ListenerOnlyHost.StartIn(NewFolder());
        AssertJsonError(Raw(host, Request($"GET /checks/{new string('a', 10 * 1024)}")), 414, "URI Too Long", "uri_too_long");
        AssertBare(Raw(host, Request($"GET /checks/{new string('a', 70 * 1024)}")), 414, "URI Too Long");
    }

    [TestCase("GET /checks/a%00b")]
    [TestCase("GET /checks/a%00b/../status")]
    [TestCase("POST /checks/hello%00/run")]
    public void ANulInThePath_IsRefusedByTheServerItself_WithABare400(string requestLine)
    {
        using var host = ListenerOnlyHost.StartIn(NewFolder());
        AssertBare(Raw(host, Request(requestLine)), 400, "Bad Request");

        // The listener is unaffected: the next connection is served.
        AssertJsonError(Raw(host, Request("GET /nope")), 404, "Not Found", "not_found");
    }

    [TestCase("{\"a\":1,\"a\":2}", "a", "$.a")]
    [TestCase("{\"checkId\":\"x:1\",\"durationSeconds\":1,\"checkId\":\"y:2\"}", "checkId", "$.checkId")]
    [TestCase("{\"outer\":{\"b\":[{\"c\":1,\"c\":1}]}}", "c", "$.outer.b[0].c")]
    public void ARequestBody_WithAMemberGivenTwice_IsA400NamingIt(string body, string member, string path)
    {
        using var host = ListenerOnlyHost.StartIn(NewFolder());
        using var client = host.Client();
        foreach (string route in new[] { "reload", "profiles", "checks/hello/run" })
        {
            var error = client.Post(route, body).Expect(HttpStatusCode.BadRequest, "duplicate_member").Json.GetProperty("error");
            Assert.That(error.GetProperty("message").GetString(), Is.EqualTo($"the request body gives the member '{member}' more than once (at {path}): give each member once"));
            Assert.That(error.GetProperty("field").GetString(), Is.EqualTo(member));
        }
    }

    [Test]
    public void TheApisSerializerContext_RefusesDuplicateMembers()
    {
        const string Twice = "{\"error\":{\"message\":\"m\",\"code\":\"c\",\"code\":\"d\"}}";
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(Twice, ApiJsonContext.Api.ErrorResponse));
        Assert.That(e!.Message, Does.Contain("'code'"));
        Assert.That(JsonSerializer.Deserialize("{\"error\":{\"message\":\"m\",\"code\":\"c\"}}", ApiJsonContext.Api.ErrorResponse)!.Error.Code, Is.EqualTo("c"));
    }

    [TestCase(404, "not_found")]
    [TestCase(405, "method_not_allowed")]
    [TestCase(408, "http_408")]
    public async Task AnErrorAnsweredWithoutABody_GetsTheJsonErrorBody(int status, string code)
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await JsonErrors.Create(NullLogger.Instance)(context, c =>
        {
            c.Response.StatusCode = status;
            return Task.CompletedTask;
        });

        Assert.That(context.Response.StatusCode, Is.EqualTo(status));
        Assert.That(context.Response.ContentType, Is.EqualTo("application/json; charset=utf-8"));
        using var json = JsonDocument.Parse(body.ToArray());
        Assert.That(json.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo(code));
        Assert.That(json.RootElement.GetProperty("error").GetProperty("message").GetString(), Does.StartWith("the request was refused"));
    }

    [Test]
    public async Task AResponseWithABody_OrASuccess_IsLeftAsItIs()
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await JsonErrors.Create(NullLogger.Instance)(context, c =>
        {
            c.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        Assert.That(body.Length, Is.Zero);
    }

    private static string NewFolder() => Directory.CreateTempSubdirectory("pychecks-refusals").FullName;

    private static string Request(string requestLine, params string[] headers) =>
        $"{requestLine} HTTP/1.1\r\nHost: localhost\r\n{string.Concat(headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n";

    /// <summary>Sends the bytes as they are and reads until the server closes the connection.</summary>
    private static string Raw(ListenerOnlyHost host, string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 10_000 };
        socket.Connect(new UnixDomainSocketEndPoint(host.Info.UnixSocketPath!));
        try
        {
            socket.Send(Encoding.Latin1.GetBytes(request));
        }
        catch (SocketException)
        {
            // The server may answer and close before it has read everything: the answer is still there to read.
        }

        var response = new StringBuilder();
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = socket.Receive(buffer)) > 0)
            {
                response.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return response.ToString();
    }

    private static void AssertJsonError(string response, int status, string reason, string code)
    {
        Assert.That(response, Does.StartWith($"HTTP/1.1 {status} {reason}\r\n"), response);
        Assert.That(response, Does.Contain("Content-Type: application/json; charset=utf-8\r\n"));
        string body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        if (response.Contains("Transfer-Encoding: chunked", StringComparison.Ordinal))
        {
            body = body[(body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..body.LastIndexOf("\r\n0\r\n", StringComparison.Ordinal)];
        }

        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo(code), body);
    }

    /// <summary>The server's own refusal, before any middleware: status line, no body, connection closed.</summary>
    private static void AssertBare(string response, int status, string reason)
    {
        Assert.That(response, Does.StartWith($"HTTP/1.1 {status} {reason}\r\n"), response);
        Assert.That(response, Does.Contain("Content-Length: 0\r\n").And.Contain("Connection: close\r\n"));
        Assert.That(response, Does.EndWith("\r\n\r\n"), "no body");
    }
}
