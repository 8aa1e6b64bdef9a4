using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using WssKit.Protocol;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Handshake;
using WssKit.Server.Configuration;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;
using WssKit.Server.Tls.Native;

namespace WssKit.Server.WebSockets;

/// <summary>
/// Decides whether an upgrade request becomes a WebSocket: a valid handshake, an allowed origin, room under the
/// connection limits; picks the subprotocol; answers the handshake (101 over HTTP/1.1, 200 over HTTP/2) and runs
/// the connection with an endpoint's handler. Refusals are plain HTTP answers whose body says why, counted by reason.
/// </summary>
internal sealed class WebSocketUpgrade(
    WssServerOptions options,
    ConnectionSettings settings,
    ConnectionRegistry registry,
    ServerMetrics metrics,
    KeepAlive keepAlive,
    ILogger<WebSocketUpgrade> logger)
{
    private readonly HashSet<string> _allowedOrigins = new(options.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs the upgrade, then the connection with <paramref name="handler"/> until it closes.</summary>
    public async Task HandleAsync(HttpContext context, IWebSocketHandler handler)
    {
        var (kind, problem) = WebSocketRequest.Inspect(context);
        switch (kind)
        {
            case WebSocketRequest.Kind.NotWebSocket:
                context.Response.Headers.Upgrade = "websocket";
                await RefuseAsync(context, StatusCodes.Status426UpgradeRequired, "not-websocket",
                    $"{context.Request.Path} is a WebSocket endpoint: connect with a WebSocket client to {WebSocketUrl(context)}");
                return;
            case WebSocketRequest.Kind.BadVersion:
                context.Response.Headers.SecWebSocketVersion = "13";
                await RefuseAsync(context, StatusCodes.Status426UpgradeRequired, "bad-version", problem!);
                return;
            case WebSocketRequest.Kind.Malformed:
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "bad-handshake", $"bad WebSocket handshake: {problem}");
                return;
        }
        var origin = context.Request.Headers.Origin.ToString();
        if (_allowedOrigins.Count > 0 && origin.Length > 0 && !_allowedOrigins.Contains(origin))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "origin", $"the origin {origin} is not allowed to open WebSockets here; allowed: {string.Join(", ", options.AllowedOrigins)}");
            return;
        }
        var client = context.Connection.RemoteIpAddress;
        switch (registry.TryReserve(client))
        {
            case "max-connections":
                context.Response.Headers.RetryAfter = "5";
                await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "max-connections", $"the server is at its limit of {options.MaxConnections} connections; try again later");
                return;
            case "max-connections-per-ip":
                context.Response.Headers.RetryAfter = "5";
                await RefuseAsync(context, StatusCodes.Status429TooManyRequests, "max-connections-per-ip", $"{client} already has {options.MaxConnectionsPerIp} connections open, the limit per client address");
                return;
            case "shutting-down":
                await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "shutting-down", "the server is shutting down; reconnect in a moment");
                return;
        }
        var handedOver = false;
        try
        {
            handedOver = await AcceptAndRunAsync(context, handler);
        }
        finally
        {
            if (!handedOver)
            {
                registry.Release(client);
            }
        }
    }

    /// <summary>
    /// Answers the handshake and runs the WebSocket: within the request, or, where the connection can be taken over
    /// (HTTP/1.1 on the native TLS layer), after it, once Kestrel has let go of its per-request state. Returns
    /// whether it was handed over (then the connection's registration is released when the WebSocket ends).
    /// </summary>
    private async Task<bool> AcceptAndRunAsync(HttpContext context, IWebSocketHandler handler)
    {
        var subProtocol = Negotiate(WebSocketRequest.RequestedProtocols(context.Request));
        var compression = options.Compression && PerMessageDeflate.TryAccept(context.Request.Headers.SecWebSocketExtensions, out var deflate)
            ? deflate
            : null;
        var (transport, http2) = await AcceptAsync(context, subProtocol, compression);
        var session = new Session(context.Request.Path.Value ?? "/", context.Connection.RemoteIpAddress, subProtocol,
            compression is null ? null : new MessageCompression(compression, Role.Server), handler, http2);
        if (!http2 && context.Features.Get<IConnectionTakeoverFeature>() is { } takeover)
        {
            takeover.ContinueAfterRequest((pipes, abort) => RunAsync(session, pipes, abort, handedOver: true));
            return true;
        }
        await RunAsync(session, transport, context.Abort, handedOver: false);
        return false;
    }

    /// <summary>What a WebSocket keeps of its upgrade request.</summary>
    private sealed record Session(string Path, System.Net.IPAddress? Client, string? SubProtocol, MessageCompression? Compression, IWebSocketHandler Handler, bool Http2);

    /// <summary>Runs the WebSocket; one that was <paramref name="handedOver"/> releases its reservation when it ends.</summary>
    private async Task RunAsync(Session session, IDuplexPipe transport, Action abort, bool handedOver)
    {
        try
        {
            var connection = new WebSocketConnection(transport, session.Client, abort, session.SubProtocol, session.Compression, settings, metrics, keepAlive);
            var time = keepAlive.Time;
            var started = time.GetTimestamp();
            var client = session.Client?.ToString() ?? "unknown";
            Log.WebSocketOpened(logger, session.Path, client, session.SubProtocol ?? "none");
            metrics.Upgraded(session.Http2);
            var registration = registry.Track(connection);
            var code = 1006;
            try
            {
                code = await connection.RunAsync(session.Handler);
            }
            finally
            {
                registration.Complete(code);
                Log.WebSocketClosed(logger, session.Path, client, code, time.GetElapsedTime(started).TotalSeconds);
            }
        }
        finally
        {
            if (handedOver)
            {
                registry.Release(session.Client);
            }
        }
    }

    /// <summary>Answers the opening handshake; returns the connection's transport and whether it is HTTP/2.</summary>
    private static async Task<(IDuplexPipe Transport, bool Http2)> AcceptAsync(HttpContext context, string? subProtocol, DeflateParameters? compression)
    {
        var headers = context.Response.Headers;
        if (subProtocol is not null)
        {
            headers.SecWebSocketProtocol = subProtocol;
        }
        if (compression is not null)
        {
            headers.SecWebSocketExtensions = compression.ToHeader();
        }
        // A WebSocket is a long-lived stream, not a request body: no size limit and no minimum data rate.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
        {
            minRate.MinDataRate = null;
        }
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            return (OverStream(await connect.AcceptAsync()), true);
        }
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = HandshakeKeys.AcceptFor(context.Request.Headers.SecWebSocketKey.ToString());
        var upgraded = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        // Over HTTP/1.1 the connection is ours after the 101: read and write its (decrypted) pipes directly, past
        // Kestrel's HTTP layers. Kestrel reads nothing more from it unless the upgraded stream is read.
        return (context.Features.Get<IConnectionTransportFeature>()?.Transport ?? OverStream(upgraded), false);
    }

    /// <summary>Pipes over a stream (an HTTP/2 stream is one of many on its connection), without a buffer while idle.</summary>
    private static IDuplexPipe OverStream(Stream stream)
        => new StreamPipe(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));

    private sealed record StreamPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>The first subprotocol the client offers that the server speaks, in the server's order of preference.</summary>
    private string? Negotiate(IEnumerable<string> requested)
    {
        var offered = requested.ToList();
        return options.Subprotocols.FirstOrDefault(supported => offered.Contains(supported, StringComparer.Ordinal));
    }

    private Task RefuseAsync(HttpContext context, int status, string reason, string message)
    {
        metrics.HandshakeFailed("upgrade", reason);
        Log.UpgradeRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", status, reason);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var body = System.Text.Encoding.UTF8.GetBytes(message + "\n");
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static string WebSocketUrl(HttpContext context)
        => $"{(context.Request.IsHttps ? "wss" : "ws")}://{context.Request.Host}{context.Request.Path}";
}
