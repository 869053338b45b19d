namespace PyChecks;

/// <summary>
/// Options of the control API: its token, its limits, and — for <c>services.AddPyChecksLocalApi(…)</c> only — where the
/// local listener listens. Bound from the <c>"PyChecks:Api"</c> configuration section when the host has one; the
/// delegate given to <c>AddPyChecksControlApi</c> or <c>AddPyChecksLocalApi</c> wins. Validated when the host starts.
/// </summary>
public sealed class PyChecksApiOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "PyChecks:Api";

    /// <summary>The default of <see cref="MaxRequestBodyBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxRequestBodyBytes = 64 * 1024;

    /// <summary>
    /// The bearer token that mutating requests must carry (<c>Authorization: Bearer &lt;token&gt;</c>), at least 16
    /// characters. When <see langword="null"/> (the default), a 256-bit token is generated at start with a
    /// cryptographic random generator and written to <see cref="TokenFilePath"/>.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// Where a generated token is written, in a file only the host's user can read (mode 0600). Default:
    /// <c>&lt;runtime directory&gt;/&lt;application name&gt;.token</c>, the runtime directory being
    /// <c>$XDG_RUNTIME_DIR/pychecks</c>, or <c>~/.local/share/pychecks/run</c> when <c>XDG_RUNTIME_DIR</c> is unset. The
    /// path is logged at start. Not written when <see cref="Token"/> is set. Once the options are resolved from the
    /// service provider, the default is filled in.
    /// </summary>
    public string? TokenFilePath { get; set; }

    /// <summary>Whether read-only routes (<c>GET</c>) require the token too. Off by default: reads change nothing.</summary>
    public bool RequireTokenForReads { get; set; }

    /// <summary>The largest request body accepted, in bytes (1 B – 1 MiB); larger ones get 413.</summary>
    public int MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>How many of the latest samples <c>GET /metrics/recent</c> keeps per check name (1 – 100,000).</summary>
    public int RecentSamplesPerCheck { get; set; } = 100;

    /// <summary>How many samples <c>GET /metrics/recent</c> keeps in all, the oldest going first (1 – 1,000,000).</summary>
    public int RecentSamplesTotal { get; set; } = 5_000;

    /// <summary>
    /// Local listener only: the Unix domain socket to listen on, when <see cref="TcpPort"/> is not set. Default:
    /// <c>&lt;runtime directory&gt;/&lt;application name&gt;.sock</c> (see <see cref="TokenFilePath"/>). Its mode is
    /// set to 0600; a stale socket left by a process that ended is removed at start, a live one stops the start. Once
    /// the options are resolved from the service provider, the default is filled in.
    /// </summary>
    public string? UnixSocketPath { get; set; }

    /// <summary>Local listener only: listen on this TCP port (0: any free port) of <see cref="TcpAddress"/> instead of a Unix socket.</summary>
    public int? TcpPort { get; set; }

    /// <summary>
    /// Local listener only: the address to listen on with <see cref="TcpPort"/>; an IP literal. A loopback address
    /// unless <see cref="AllowNonLoopbackAddress"/> is set.
    /// </summary>
    public string TcpAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Local listener only: allow a <see cref="TcpAddress"/> that is not a loopback address. Off by default: the control
    /// API is meant for the machine it runs on; exposing it to a network is a decision to take explicitly.
    /// </summary>
    public bool AllowNonLoopbackAddress { get; set; }
}
