using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PyChecks.Tool.CommandLine;

namespace PyChecks.Tool.Remote;

/// <summary>
/// An HTTP client of a host's control API, over its Unix socket or its URL, with its token when the route needs it.
/// What goes wrong becomes a <see cref="HostException"/> that says what happened and what to do.
/// </summary>
internal sealed class HostClient : IDisposable
{
    private readonly HttpClient _http;
    private string? _token;
    private bool _tokenRead;

    private HostClient(HostEndpoint endpoint, HttpClient http)
    {
        Endpoint = endpoint;
        _http = http;
    }

    /// <summary>Where the host is.</summary>
    public HostEndpoint Endpoint { get; }

    /// <summary>A client of <paramref name="endpoint"/>.</summary>
    public static HostClient Connect(HostEndpoint endpoint)
    {
        if (endpoint.SocketPath is not { } socketPath)
        {
            return new HostClient(endpoint, new HttpClient { BaseAddress = endpoint.Url, Timeout = Timeout.InfiniteTimeSpan });
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HostClient(endpoint, new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = Timeout.InfiniteTimeSpan });
    }

    /// <summary>
    /// <c>GET status</c>, refusing a host whose PyChecks is of another major or minor version than the tool's: their
    /// control APIs may differ.
    /// </summary>
    public async Task<JsonElement> StatusAsync(CancellationToken cancellationToken)
    {
        var status = await SendAsync(HttpMethod.Get, "status", null, needsToken: false, cancellationToken).ConfigureAwait(false);
        string version = status.GetProperty("version").GetString() ?? "unknown";
        if (!SameMinor(version, ToolCommandLine.Version))
        {
            throw new HostException(
                $"The host at {Endpoint} runs PyChecks {version}, and this pychecks is {ToolCommandLine.Version}: their control APIs may differ. " +
                $"Use the tool of the host's version: dotnet tool update --global PyChecks.Tool --version {version} (or in the tool manifest of the project).");
        }

        return status;
    }

    /// <summary>Sends a request; returns the JSON body of a success.</summary>
    /// <param name="method">The method.</param>
    /// <param name="path">The route, relative to the API's root (<c>checks/hello/run</c>).</param>
    /// <param name="body">A JSON body, or <see langword="null"/>.</param>
    /// <param name="needsToken">Whether the route needs the token (mutations): without one, the request is not sent.</param>
    /// <param name="cancellationToken">Cancels the request; closing the connection interrupts a run the host is doing for it.</param>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, string? body, bool needsToken, CancellationToken cancellationToken)
    {
        string text = await SendForTextAsync(method, path, body, needsToken, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Sends a request; returns the body of a success as it is (a profile result in any format).</summary>
    public async Task<string> SendForTextAsync(HttpMethod method, string path, string? body, bool needsToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        string? token = Token(needsToken);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException socket)
        {
            throw new HostException(NotListening(socket), e);
        }
        catch (HttpRequestException e)
        {
            throw new HostException($"The host at {Endpoint} could not be asked: {e.Message}", e);
        }

        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text;
            }

            throw Refused(response.StatusCode, text);
        }
    }

    public void Dispose() => _http.Dispose();

    private string NotListening(SocketException e) => Endpoint.SocketPath switch
    {
        { } path when !Path.Exists(path) =>
            $"No PyChecks host is listening at {path}: there is no such socket. Is the host running? Give --socket PATH or --app NAME for another one.",
        { } path when e.SocketErrorCode == SocketError.ConnectionRefused =>
            $"No PyChecks host is listening at {path}: the socket is there but nothing accepts on it (a host that ended without removing it?). Start the host, or give --socket PATH for another one.",
        { } path when e.SocketErrorCode == SocketError.AccessDenied =>
            $"The socket {path} belongs to another user (mode 0600): run pychecks as the user the host runs as.",
        _ => $"No PyChecks host is listening at {Endpoint}: {e.Message}. Start the host, or give --socket PATH or --url URL for another one.",
    };

    // The token is read on first need: a read-only command works without the file (unless the host requires the token for reads).
    private string? Token(bool needed)
    {
        if (!_tokenRead)
        {
            _tokenRead = true;
            if (Endpoint.TokenFile is { } file)
            {
                try
                {
                    _token = File.ReadAllText(file).Trim();
                }
                catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && (needed || Endpoint.TokenFileGiven))
                {
                    throw new HostException($"The token file {file} cannot be read ({e.Message}): it is the host user's own (mode 0600), so run pychecks as that user, or give --token-file PATH.", e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _token = null;
                }
            }
        }

        if (needed && _token is null)
        {
            throw new HostException(Endpoint.SocketPath is { } socket
                ? $"This command needs the host's token, and there is no token file next to its socket ({HostDefaults.TokenBeside(socket)}): give --token-file PATH (the host logs where it wrote the token, event 3001)."
                : "This command needs the host's token: give --token-file PATH (the host logs where it wrote the token, event 3001).");
        }

        return _token;
    }

    private HostException Refused(HttpStatusCode status, string text)
    {
        string? message = null, code = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
                code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Not the API's JSON: not a PyChecks host, or a proxy in front of it.
        }

        if (status == HttpStatusCode.Unauthorized)
        {
            string where = Endpoint.TokenFile is { } file ? $"the token in {file}" : "no token";
            return new HostException($"The host at {Endpoint} refused {where} (401 unauthorized): the host makes a new token each time it starts; give --token-file with the file it logged at start (event 3001).", ExitCodes.Failed);
        }

        return message is null
            ? new HostException($"The host at {Endpoint} answered {(int)status} {status} without the control API's error body: is it a PyChecks host? {text[..Math.Min(text.Length, 200)]}", ExitCodes.Failed)
            : new HostException($"{message} ({(int)status} {code})", ExitCodes.Failed);
    }

    private static bool SameMinor(string host, string tool)
    {
        static (string, string) MajorMinor(string version)
        {
            string[] parts = version.Split('-', '+')[0].Split('.');
            return (parts[0], parts.Length > 1 ? parts[1] : "0");
        }

        return MajorMinor(host) == MajorMinor(tool);
    }
}
