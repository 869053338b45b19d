using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PyChecks.AspNetCore;

/// <summary>The control API's logs, with stable event ids (3001–3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "PyChecks control API token written to {TokenFile} (mode 0600); send it as 'Authorization: Bearer <token>'")]
    public static partial void TokenWritten(ILogger logger, string tokenFile);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "PyChecks control API listening on unix:{SocketPath} (mode 0600)")]
    public static partial void ListeningOnSocket(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "PyChecks control API listening on http://{EndPoint}")]
    public static partial void ListeningOnTcp(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "PyChecks control API listens on {Address}, which is not a loopback address: anyone who can reach it may read check statuses")]
    public static partial void NonLoopback(ILogger logger, string address);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Removed the stale socket {SocketPath} left by a process that ended")]
    public static partial void StaleSocketRemoved(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "PyChecks control API request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Debug, Message = "PyChecks control API refused {Method} {Path}: {Status} {Code}")]
    public static partial void Refused(ILogger logger, string method, PathString path, int status, string code);
}
