using System.Net;
using Microsoft.Extensions.Options;

namespace PyChecks.AspNetCore.DependencyInjection;

/// <summary>Validates <see cref="PyChecksApiOptions"/> when the host starts, naming the option at fault.</summary>
internal sealed class PyChecksApiOptionsValidator : IValidateOptions<PyChecksApiOptions>
{
    private const int UnixSocketPathMax = 107; // sockaddr_un.sun_path is 108 bytes, NUL included

    public ValidateOptionsResult Validate(string? name, PyChecksApiOptions options)
    {
        var failures = new List<string>();
        if (options.Token is { } token && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            failures.Add("Token: a given token must have at least 16 characters and no white space.");
        }

        if (options.MaxRequestBodyBytes is < 1 or > 1024 * 1024)
        {
            failures.Add($"MaxRequestBodyBytes: {options.MaxRequestBodyBytes} is not between 1 and 1048576.");
        }

        if (options.RecentSamplesPerCheck is < 1 or > 100_000)
        {
            failures.Add($"RecentSamplesPerCheck: {options.RecentSamplesPerCheck} is not between 1 and 100000.");
        }

        if (options.RecentSamplesTotal is < 1 or > 1_000_000)
        {
            failures.Add($"RecentSamplesTotal: {options.RecentSamplesTotal} is not between 1 and 1000000.");
        }

        if (options.TcpPort is < 0 or > 65535)
        {
            failures.Add($"TcpPort: {options.TcpPort} is not a port (0 – 65535).");
        }

        if (!IPAddress.TryParse(options.TcpAddress, out var address))
        {
            failures.Add($"TcpAddress: '{options.TcpAddress}' is not an IP address.");
        }
        else if (!IPAddress.IsLoopback(address) && !options.AllowNonLoopbackAddress)
        {
            failures.Add($"TcpAddress: {address} is not a loopback address; the control API listens only on this machine unless AllowNonLoopbackAddress is set.");
        }

        if (options.UnixSocketPath is { } socket && System.Text.Encoding.UTF8.GetByteCount(Path.GetFullPath(socket)) > UnixSocketPathMax)
        {
            failures.Add($"UnixSocketPath: '{socket}' is longer than the {UnixSocketPathMax} bytes a Unix socket path may have.");
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
