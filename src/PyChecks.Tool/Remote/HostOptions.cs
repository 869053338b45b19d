using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary>
/// The options of the commands that ask a running host (<c>--socket</c>, <c>--url</c>, <c>--token-file</c>,
/// <c>--app</c>, <c>--json</c>), and how such a command runs: find the host, check its version, ask it, and turn what
/// goes wrong into one line and an exit code.
/// </summary>
internal sealed class HostOptions
{
    private readonly Option<string?> _socket = new("--socket")
    {
        HelpName = "path",
        Description = "the host's control API socket (default: the only *.sock in\n$XDG_RUNTIME_DIR/pychecks, else ~/.local/share/pychecks/run)",
    };

    private readonly Option<string?> _url = new("--url")
    {
        HelpName = "url",
        Description = "the control API's URL instead, e.g. http://127.0.0.1:5099 or\nhttp://localhost:5000/pychecks",
    };

    private readonly Option<string?> _tokenFile = new("--token-file")
    {
        HelpName = "file",
        Description = "the host's token file (default: the .token next to the socket)",
    };

    private readonly Option<string?> _app = new("--app")
    {
        HelpName = "name",
        Description = "the host's application name, which names its default socket (<name>.sock)",
    };

    private readonly Option<bool> _json = new("--json") { Description = "write the control API's JSON answer as it is" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(ToolCommand command, bool json = true)
    {
        command.Add(_socket);
        command.Add(_url);
        command.Add(_tokenFile);
        command.Add(_app);
        if (json)
        {
            command.Add(_json);
        }
    }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json(ParseResult parse) => parse.GetValue(_json);

    /// <summary>
    /// Connects to the host the options name, checks that it answers and is of the tool's version, then runs
    /// <paramref name="body"/>; a <see cref="HostException"/> from any of it is one <c>error:</c> line and its exit code.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, ToolConsole console, Func<HostClient, JsonElement, Task<int>> body)
    {
        try
        {
            var endpoint = HostEndpoint.Resolve(parse.GetValue(_socket), parse.GetValue(_url), parse.GetValue(_tokenFile), parse.GetValue(_app));
            using var client = HostClient.Connect(endpoint);
            var status = await client.StatusAsync(CancellationToken.None).ConfigureAwait(false);
            return await body(client, status).ConfigureAwait(false);
        }
        catch (HostException e)
        {
            await console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
    }

    /// <summary>Writes a JSON answer as the API gave it, indented.</summary>
    public static void WriteJson(ToolConsole console, JsonElement json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteTo(writer);
        }

        console.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
