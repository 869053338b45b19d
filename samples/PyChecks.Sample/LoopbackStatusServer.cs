using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PyChecks.Sample;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 with a port the OS picks, for the <c>http_probe</c> check to fetch:
/// <c>GET /health</c> answers <c>200</c> with a small JSON document, anything else <c>404</c>. One request
/// per connection.
/// </summary>
internal sealed class LoopbackStatusServer : IAsyncDisposable
{
    private const int MaxRequestHeadBytes = 8192;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private readonly long _startedAt = Environment.TickCount64;
    private long _requests;

    private LoopbackStatusServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stopping.Token);
    }

    /// <summary>The port the OS assigned.</summary>
    public int Port { get; }

    /// <summary>The URL of the health endpoint, e.g. <c>http://127.0.0.1:40123/health</c>.</summary>
    public string HealthUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/health");

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Starts listening at once; the port is known when this returns.</summary>
    public static LoopbackStatusServer Start() => new();

    /// <summary>Stops listening and waits for the accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return; // stopped
            }

            _ = ServeAsync(client, stopping);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                string? target = await ReadRequestTargetAsync(client, timeout.Token);
                if (target is null)
                {
                    return;
                }

                long requests = Interlocked.Increment(ref _requests);
                double uptime = (Environment.TickCount64 - _startedAt) / 1000.0;
                var (status, body) = target == "/health"
                    ? ("200 OK", string.Create(CultureInfo.InvariantCulture, $"{{\"status\": \"ok\", \"uptime_s\": {uptime:0.0}, \"requests\": {requests}}}"))
                    : ("404 Not Found", "{\"status\": \"not found\"}");
                byte[] content = Encoding.UTF8.GetBytes(body);
                byte[] head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n"));
                await client.SendAsync(head, timeout.Token);
                await client.SendAsync(content, timeout.Token);
                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // A client that went away or never finished its request: nothing to answer.
            }
        }
    }

    // Reads up to the blank line ending the request head; returns the path of "GET <path> HTTP/1.x".
    private static async Task<string?> ReadRequestTargetAsync(Socket client, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxRequestHeadBytes];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = await client.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return null;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                string requestLine = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, length).IndexOf("\r\n"u8));
                string[] parts = requestLine.Split(' ');
                return parts.Length == 3 ? parts[1] : null;
            }
        }

        return null;
    }
}
