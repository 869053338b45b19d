using System.Net;

namespace PyChecks;

/// <summary>
/// Where the local listener started by <c>services.AddPyChecksLocalApi(…)</c> listens, and where its token is; set once
/// the host has started. Resolve it from the service provider to tell users how to reach the API.
/// </summary>
public sealed class PyChecksLocalApi
{
    /// <summary>The Unix domain socket it listens on, or <see langword="null"/> on TCP or before start.</summary>
    public string? UnixSocketPath { get; internal set; }

    /// <summary>The TCP endpoint it listens on (with the actual port when port 0 was asked), or <see langword="null"/> on a Unix socket or before start.</summary>
    public IPEndPoint? TcpEndPoint { get; internal set; }

    /// <summary>The file holding the generated token, or <see langword="null"/> when the token was given in the options.</summary>
    public string? TokenFilePath { get; internal set; }

    /// <summary>Whether the listener is accepting requests.</summary>
    public bool IsListening { get; internal set; }
}
