using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace PyChecks.Tests.ControlApi;

/// <summary>An HTTP client of the control API over its real socket (Unix domain or TCP), with the token when asked.</summary>
public sealed class ApiClient : IDisposable
{
    private ApiClient(HttpClient http, string? token)
    {
        Http = http;
        Token = token;
    }

    public HttpClient Http { get; }

    public string? Token { get; }

    /// <summary>A client that connects to a Unix domain socket, whatever the URL's host.</summary>
    public static ApiClient OverSocket(string socketPath, string? token, string prefix = "")
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new ApiClient(new HttpClient(handler) { BaseAddress = new Uri("http://localhost" + prefix + "/") }, token);
    }

    /// <summary>A client of a TCP endpoint.</summary>
    public static ApiClient OverTcp(IPEndPoint endPoint, string? token, string prefix = "") =>
        new(new HttpClient { BaseAddress = new Uri($"http://{endPoint}{prefix}/") }, token);

    /// <summary>Sends a request; <paramref name="token"/> overrides the client's token (empty: none).</summary>
    public ApiResponse Send(HttpMethod method, string path, string? body = null, string? contentType = "application/json", string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        string? bearer = token ?? Token;
        if (!string.IsNullOrEmpty(bearer))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        configure?.Invoke(request);
        return Send(request);
    }

    public ApiResponse Send(HttpRequestMessage request)
    {
        using var response = Http.SendAsync(request).GetAwaiter().GetResult();
        string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return new ApiResponse(response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)), response.Content.Headers.Allow.ToArray());
    }

    public ApiResponse Get(string path) => Send(HttpMethod.Get, path);

    public ApiResponse Post(string path, string? body = null) => Send(HttpMethod.Post, path, body);

    public void Dispose() => Http.Dispose();
}

/// <summary>A response, its body parsed when it is JSON.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string Text, string? MediaType, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Allow)
{
    public JsonElement Json
    {
        get
        {
            Assert.That(MediaType, Is.EqualTo("application/json"), $"a JSON body; got {Status}: {Text}");
            using var document = JsonDocument.Parse(Text);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Asserts the status, and for errors the JSON error body with <paramref name="code"/> and no host stack trace.</summary>
    public ApiResponse Expect(HttpStatusCode status, string? code = null)
    {
        Assert.That(Status, Is.EqualTo(status), Text);
        if (code is not null)
        {
            var error = Json.GetProperty("error");
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code), Text);
            Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
            Assert.That(Text, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace of the host");
        }

        return this;
    }
}
