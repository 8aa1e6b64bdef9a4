using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// Lets an upgrade request hand its connection over to what runs after the HTTP exchange (a WebSocket), so that
/// Kestrel's per-request objects (the HTTP/1.1 connection state, headers, HttpContext: about 5 KiB) are let go
/// instead of living as long as the WebSocket. Offered by the native TLS layer as a connection feature.
/// </summary>
internal interface IConnectionTakeoverFeature
{
    /// <summary>
    /// Ends the HTTP exchange's hold on the connection: once the request handler returns, <paramref name="run"/>
    /// gets the connection's pipes and <paramref name="run"/>'s abort action and carries the connection until it
    /// ends. Call it after the upgrade response went out, and return from the handler promptly.
    /// </summary>
    void ContinueAfterRequest(Func<IDuplexPipe, Action, Task> run);
}

/// <summary>The takeover of one native TLS connection.</summary>
internal sealed class ConnectionTakeover(HttpConnectionView kestrelView, ConnectionContext connection) : IConnectionTakeoverFeature
{
    /// <summary>What runs once Kestrel's HTTP layer is done with the connection, if anything took it over.</summary>
    public Func<IDuplexPipe, Action, Task>? Continuation { get; private set; }

    public void ContinueAfterRequest(Func<IDuplexPipe, Action, Task> run)
    {
        kestrelView.Detach();
        Continuation = run;
    }

    /// <summary>Runs the continuation on the connection's own pipes; aborting it aborts the TCP connection.</summary>
    public Task RunAsync(IDuplexPipe transport) => Continuation!(transport, connection.Abort);
}
