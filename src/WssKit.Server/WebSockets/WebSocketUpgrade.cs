using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using WssKit.Server.Configuration;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;

namespace WssKit.Server.WebSockets;

/// <summary>
/// Decides whether an upgrade request becomes a WebSocket: a valid handshake, an allowed origin, room under the
/// connection limits; picks the subprotocol; then hands the open session to an endpoint's conversation and cleans
/// up after it. Refusals are plain HTTP answers whose body says why, counted by reason.
/// </summary>
internal sealed class WebSocketUpgrade(
    WssServerOptions options,
    IWebSocketEngine engine,
    ConnectionRegistry registry,
    ServerMetrics metrics,
    TimeProvider time,
    ILogger<WebSocketUpgrade> logger)
{
    private readonly HashSet<string> _allowedOrigins = new(options.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs the upgrade, then <paramref name="conversation"/>, which returns the close code once it ends.</summary>
    public async Task HandleAsync(HttpContext context, Func<Session, CancellationToken, Task<int>> conversation)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseMalformedAsync(context);
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
        try
        {
            await RunAsync(context, conversation);
        }
        finally
        {
            registry.Release(client);
        }
    }

    private async Task RunAsync(HttpContext context, Func<Session, CancellationToken, Task<int>> conversation)
    {
        var subProtocol = Negotiate(context.WebSockets.WebSocketRequestedProtocols);
        await using var connection = await engine.AcceptAsync(context, subProtocol);
        var started = time.GetTimestamp();
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        Log.WebSocketOpened(logger, context.Request.Path, client, subProtocol ?? "none");
        var registration = registry.Track(connection);
        metrics.Upgraded(HttpProtocol.IsHttp2(context.Request.Protocol));
        var session = new Session(connection, metrics, time);
        var code = 1006;
        using (IdleWatch.Start(session, options.IdleTimeout, time))
        {
            try
            {
                code = await conversation(session, context.RequestAborted);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer vanished mid-send: nothing to answer, the connection is gone.
                connection.Abort();
            }
            finally
            {
                registration.Complete(code);
                Log.WebSocketClosed(logger, context.Request.Path, client, code, time.GetElapsedTime(started).TotalSeconds);
            }
        }
    }

    /// <summary>The first subprotocol the client offers that the server speaks, in the server's order of preference.</summary>
    private string? Negotiate(IList<string> requested)
    {
        foreach (var supported in options.Subprotocols)
        {
            if (requested.Contains(supported, StringComparer.Ordinal))
            {
                return supported;
            }
        }
        return null;
    }

    private Task RefuseMalformedAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Upgrade = "websocket";
            return RefuseAsync(context, StatusCodes.Status426UpgradeRequired, "not-websocket",
                $"{context.Request.Path} is a WebSocket endpoint: connect with a WebSocket client to {WebSocketUrl(context)}");
        }
        if (headers.SecWebSocketVersion.ToString() != "13")
        {
            context.Response.Headers.SecWebSocketVersion = "13";
            return RefuseAsync(context, StatusCodes.Status426UpgradeRequired, "bad-version",
                $"WebSocket version '{headers.SecWebSocketVersion}' is not supported; this server speaks version 13 (RFC 6455)");
        }
        var problem = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsConnect(context.Request.Method)
            ? $"a WebSocket upgrade must be a GET request, not {context.Request.Method}"
            : headers.SecWebSocketKey.Count == 0
                ? "the Sec-WebSocket-Key header is missing"
                : "the Sec-WebSocket-Key header is not 16 bytes in base64, or the Connection header lacks 'Upgrade'";
        return RefuseAsync(context, StatusCodes.Status400BadRequest, "bad-handshake", $"bad WebSocket handshake: {problem}");
    }

    private Task RefuseAsync(HttpContext context, int status, string reason, string message)
    {
        metrics.HandshakeFailed("upgrade", reason);
        Log.UpgradeRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", status, reason);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }

    private static string WebSocketUrl(HttpContext context)
        => $"{(context.Request.IsHttps ? "wss" : "ws")}://{context.Request.Host}{context.Request.Path}";
}
