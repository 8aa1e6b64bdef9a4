using System.Net;

namespace WssKit.Server.WebSockets;

/// <summary>
/// What an endpoint (echo, channels, ...) does with the messages of a connection. Called on the connection's
/// receive loop, one message at a time; the payload is valid only during the call (it points into the receive
/// buffer). Sends are buffered and written with one flush after the whole batch that arrived together. On the native
/// TLS layer that loop is the TLS connection's read pump, on the socket's event-loop thread, without the upgrade
/// request's execution context (no AsyncLocal values of Kestrel's): a handler must not block.
/// </summary>
internal interface IWebSocketHandler
{
    /// <summary>A whole message arrived.</summary>
    void OnMessage(IWebSocketSession session, ReadOnlySpan<byte> payload, bool text);
}

/// <summary>A WebSocket connection as an endpoint sees it.</summary>
internal interface IWebSocketSession
{
    /// <summary>The subprotocol agreed on, if any.</summary>
    string? SubProtocol { get; }

    /// <summary>The client's address.</summary>
    IPAddress? RemoteAddress { get; }

    /// <summary>Queues a message; from any thread. Dropped once the connection is closing.</summary>
    void Send(ReadOnlySpan<byte> payload, bool text);

    /// <summary>Starts the closing handshake.</summary>
    void Close(int code, string reason);
}
