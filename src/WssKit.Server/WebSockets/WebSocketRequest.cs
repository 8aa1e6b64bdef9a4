using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WssKit.Protocol.Handshake;

namespace WssKit.Server.WebSockets;

/// <summary>
/// Recognises a WebSocket opening handshake: HTTP/1.1 GET with Upgrade: websocket (RFC 6455 §4.2.1), or HTTP/2
/// extended CONNECT with :protocol websocket (RFC 8441 §4), and says precisely what is wrong with one that is not valid.
/// </summary>
internal static class WebSocketRequest
{
    /// <summary>What kind of request this is.</summary>
    public enum Kind
    {
        /// <summary>Not an attempt to open a WebSocket at all.</summary>
        NotWebSocket,
        /// <summary>A valid opening handshake.</summary>
        Valid,
        /// <summary>An attempt with the wrong Sec-WebSocket-Version.</summary>
        BadVersion,
        /// <summary>An attempt that breaks the handshake rules.</summary>
        Malformed,
    }

    public static (Kind Kind, string? Problem) Inspect(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers;
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            if (!string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase))
            {
                return (Kind.NotWebSocket, null);
            }
            return headers.SecWebSocketVersion.ToString() == "13"
                ? (Kind.Valid, null)
                : (Kind.BadVersion, $"WebSocket version '{headers.SecWebSocketVersion}' is not supported; this server speaks version 13 (RFC 6455)");
        }
        if (!HasToken(headers.Upgrade, "websocket"))
        {
            return (Kind.NotWebSocket, null);
        }
        if (headers.SecWebSocketVersion.ToString() != "13")
        {
            return (Kind.BadVersion, $"WebSocket version '{headers.SecWebSocketVersion}' is not supported; this server speaks version 13 (RFC 6455)");
        }
        if (!HttpMethods.IsGet(request.Method))
        {
            return (Kind.Malformed, $"a WebSocket upgrade must be a GET request, not {request.Method}");
        }
        if (!HasToken(headers.Connection, "upgrade"))
        {
            return (Kind.Malformed, "the Connection header lacks 'Upgrade'");
        }
        if (headers.SecWebSocketKey.Count == 0)
        {
            return (Kind.Malformed, "the Sec-WebSocket-Key header is missing");
        }
        if (headers.SecWebSocketKey.Count > 1 || !HandshakeKeys.IsValidKey(headers.SecWebSocketKey.ToString()))
        {
            return (Kind.Malformed, "the Sec-WebSocket-Key header is not 16 bytes in base64");
        }
        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
        {
            return (Kind.Malformed, "the request cannot be upgraded (it has a body)");
        }
        return (Kind.Valid, null);
    }

    /// <summary>The subprotocols the client offers (Sec-WebSocket-Protocol, comma-separated, possibly repeated).</summary>
    public static IEnumerable<string> RequestedProtocols(HttpRequest request)
        => request.Headers.SecWebSocketProtocol.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static bool HasToken(Microsoft.Extensions.Primitives.StringValues values, string token)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
