using System.Net;
using System.Net.Sockets;

namespace PyChecks.Orleans.Tests.Infrastructure;

/// <summary>A loopback TCP port free right now.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
