using System.IO.Pipelines;

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
    /// gets the connection's pipes and an action that aborts the connection, and carries the connection until it
    /// ends. Call it after the upgrade response went out, and return from the handler promptly.
    /// </summary>
    void ContinueAfterRequest(Func<IDuplexPipe, Action, Task> run);
}
