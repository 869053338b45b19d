using PyChecks.Tool.CommandLine;

namespace PyChecks.Tool.Remote;

/// <summary>Where a host's control API is: a Unix socket or a URL, and the file holding its token, if known.</summary>
/// <param name="SocketPath">The Unix domain socket, or <see langword="null"/> for <paramref name="Url"/>.</param>
/// <param name="Url">The API's base URL (TCP, or a web app's prefix), or <see langword="null"/> for the socket.</param>
/// <param name="TokenFile">The token file, or <see langword="null"/> when none is known.</param>
/// <param name="TokenFileGiven">Whether the token file was given (<c>--token-file</c>) rather than guessed next to the socket.</param>
internal sealed record HostEndpoint(string? SocketPath, Uri? Url, string? TokenFile, bool TokenFileGiven)
{
    /// <summary>The endpoint as messages name it: <c>unix:/run/user/1000/pychecks/App.sock</c>, or the URL.</summary>
    public override string ToString() => SocketPath is not null ? $"unix:{SocketPath}" : Url!.ToString();

    /// <summary>
    /// The endpoint from the options: <paramref name="url"/> or <paramref name="socket"/> when given; else the socket of
    /// application <paramref name="app"/> in the hosts' default folder; else the only socket there.
    /// </summary>
    /// <exception cref="HostException">No socket can be chosen: the message says where it looked and what to give.</exception>
    public static HostEndpoint Resolve(string? socket, string? url, string? tokenFile, string? app)
    {
        if (url is not null)
        {
            if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new HostException($"--url must be an http:// URL of the control API, such as http://127.0.0.1:5099 or http://localhost:5000/pychecks, not '{url}'.", ExitCodes.Usage);
            }

            return new HostEndpoint(null, uri, tokenFile, tokenFile is not null);
        }

        if (socket is null)
        {
            string folder = HostDefaults.Folder;
            if (app is not null)
            {
                socket = HostDefaults.SocketOf(app);
            }
            else
            {
                var sockets = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.sock").Order(StringComparer.Ordinal).ToList() : [];
                socket = sockets switch
                {
                    [var only] => only,
                    [] => throw new HostException($"No PyChecks host's socket in {folder}, where a host's control API puts it by default (AddPyChecksLocalApi): start the host, or give --socket PATH (the host logs it at start, event 3002) or --url URL."),
                    _ => throw new HostException($"Several hosts' sockets in {folder}: {string.Join(", ", sockets.Select(Path.GetFileName))}. Choose one with --app NAME (the file name without .sock) or --socket PATH."),
                };
            }
        }

        string full = Path.GetFullPath(socket);
        string? token = tokenFile ?? (File.Exists(HostDefaults.TokenBeside(full)) ? HostDefaults.TokenBeside(full) : null);
        return new HostEndpoint(full, null, token, tokenFile is not null);
    }
}
