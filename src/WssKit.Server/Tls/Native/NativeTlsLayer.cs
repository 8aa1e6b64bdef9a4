using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;
using WssKit.Server.Transport;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// Kestrel connection middleware that secures the TLS port with OpenSSL directly (<see cref="NativeTlsConnection"/>)
/// in place of Kestrel's HTTPS middleware and SslStream, then hands the decrypted connection to Kestrel's HTTP layer.
/// Connections it does not take (ACME TLS-ALPN-01 validation handshakes, a certificate OpenSSL could not be given) go on to
/// Kestrel's HTTPS middleware as before, and so would a connection whose socket Kestrel already reads through its pipes.
/// </summary>
internal sealed class NativeTlsLayer(ServedCertificates certificates, TimeSpan handshakeTimeout, ServerMetrics metrics, WebSocketsAfterKestrel webSockets, ILogger logger)
{
    private ConnectionDelegate? _http;

    /// <summary>Placed before Kestrel's HTTPS middleware: takes the connection, or passes it on to <paramref name="https"/>.</summary>
    public ConnectionDelegate Before(ConnectionDelegate https)
        => context => context.Features.Get<AcmeValidationHandshake>() is not null || !certificates.AllNative || _http is null
            || context.Features.Get<DirectSocketConnection>() is not { } direct || !direct.TryTakeSocket()
            ? https(context)
            : RunAsync(context, direct, _http);

    /// <summary>Placed after Kestrel's HTTPS middleware: remembers the HTTP layer that connections secured here go to.</summary>
    public ConnectionDelegate After(ConnectionDelegate http) => _http = http;

    // Separate methods: an async method keeps its locals as long as it runs, and a WebSocket runs for hours. The
    // handshake's timers and Kestrel's view of the connection are let go as soon as they are done with, and a WebSocket
    // runs on after this method (Kestrel's part of the connection) has returned.
    private async Task RunAsync(ConnectionContext context, DirectSocketConnection socket, ConnectionDelegate http)
    {
        var tls = new NativeTlsConnection(socket, certificates.NativeFor(null)!, certificates);
        var handedOver = false;
        try
        {
            if (await HandshakeAsync(context, tls) is { } failure)
            {
                metrics.HandshakeFailed("tls", failure == "timeout" ? "timeout" : TlsFailureCounter.Classify(failure));
                Log.TlsHandshakeFailed(logger, context.RemoteEndPoint?.ToString() ?? "unknown", failure);
                return;
            }
            tls.Start();
            if (await ServeHttpAsync(context, tls, http) is { } webSocket)
            {
                // Taken over: the WebSocket runs on the TLS connection itself; aborting it aborts the TCP connection.
                socket.OutliveKestrel();
                handedOver = true;
                webSockets.Started();
                // Without Kestrel's execution context (its logging scope), which would stay reachable as long.
                using (ExecutionContext.SuppressFlow())
                {
                    _ = RunWebSocketAsync(tls, socket, webSocket);
                }
            }
        }
        finally
        {
            if (!handedOver)
            {
                await tls.DisposeAsync();
            }
        }
    }

    private async Task RunWebSocketAsync(NativeTlsConnection tls, DirectSocketConnection socket, Func<IDuplexPipe, Action, Task> webSocket)
    {
        try
        {
            try
            {
                await webSocket(tls, socket.Abort);
            }
            finally
            {
                await tls.DisposeAsync();
                await socket.CloseAsync();
            }
        }
        catch (Exception e)
        {
            // Kestrel would have logged a connection's failure; this one is no longer Kestrel's.
            Log.ConnectionFailed(logger, socket.ConnectionId, e);
        }
        finally
        {
            webSockets.Ended();
        }
    }

    /// <summary>Runs the handshake within what is left of the handshake timeout; returns why it failed, or null.</summary>
    private async Task<string?> HandshakeAsync(ConnectionContext context, NativeTlsConnection tls)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
        // The wait for the first bytes already took part of the handshake timeout.
        var started = context.Features.Get<HandshakeStarted>();
        context.Features.Set<HandshakeStarted>(null);
        var spent = started is null ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(started.Timestamp);
        timeout.CancelAfter(spent < handshakeTimeout ? handshakeTimeout - spent : TimeSpan.Zero);
        try
        {
            return await tls.HandshakeAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Either the handshake timeout, or Kestrel aborting a connection whose client went away.
            return context.ConnectionClosed.IsCancellationRequested ? "connection reset: the client closed the connection" : "timeout";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return $"connection reset: {e.Message}";
        }
    }

    /// <summary>
    /// Kestrel's HTTP layer on a view of the connection: the same features plus the TLS ones, the decrypted pipes, and
    /// the means for a WebSocket to take the connection over when its upgrade request ends. Returns what that
    /// WebSocket runs next, if one did.
    /// </summary>
    private static async Task<Func<IDuplexPipe, Action, Task>?> ServeHttpAsync(ConnectionContext context, NativeTlsConnection tls, ConnectionDelegate http)
    {
        var view = new HttpConnectionView(context, new DetachablePipe(tls));
        var features = new NativeTlsFeatures(tls.Session!, tls.ServerName);
        view.Features.Set<ITlsConnectionFeature>(features);
        view.Features.Set<ITlsApplicationProtocolFeature>(features);
        view.Features.Set<ITlsHandshakeFeature>(features);
        await http(view);
        view.EndOfHttp();
        return view.Continuation;
    }
}
