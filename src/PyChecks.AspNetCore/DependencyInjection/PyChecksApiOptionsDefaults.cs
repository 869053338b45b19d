using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyChecks.AspNetCore.Listener;

namespace PyChecks.AspNetCore.DependencyInjection;

/// <summary>
/// Fills in the default socket and token paths (named after the application), so that the options read after the host
/// is built show where the API will listen and where its token will be, before it starts.
/// </summary>
internal sealed class PyChecksApiOptionsDefaults(IHostEnvironment? environment = null) : IPostConfigureOptions<PyChecksApiOptions>
{
    public void PostConfigure(string? name, PyChecksApiOptions options)
    {
        if (options.Token is null)
        {
            options.TokenFilePath ??= RuntimeDirectory.DefaultFile(environment?.ApplicationName, ".token");
        }

        if (options.TcpPort is null)
        {
            options.UnixSocketPath ??= RuntimeDirectory.DefaultFile(environment?.ApplicationName, ".sock");
        }
    }
}
