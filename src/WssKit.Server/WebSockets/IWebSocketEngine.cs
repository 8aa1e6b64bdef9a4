using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace WssKit.Server.WebSockets;

/// <summary>
/// The framing engine behind every WebSocket endpoint: it completes an upgrade that the server already accepted
/// (origin, limits and subprotocol checked) and speaks RFC 6455 from there. Endpoints see only this interface,
/// so the engine can be replaced without touching them.
/// </summary>
internal interface IWebSocketEngine
{
    /// <summary>Completes the upgrade (HTTP/1.1 101 or HTTP/2 extended CONNECT) and returns the connection.</summary>
    Task<IWebSocketConnection> AcceptAsync(HttpContext context, string? subProtocol);
}

/// <summary>One open WebSocket connection, message by message.</summary>
internal interface IWebSocketConnection : IAsyncDisposable
{
    /// <summary>
    /// Receives the next whole message. A message larger than the limit closes the connection with 1009; a close
    /// from the peer is answered. Either way the result is then a close, which ends the conversation.
    /// </summary>
    ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends one whole message.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type, CancellationToken cancellationToken);

    /// <summary>Starts the close handshake; may be called while a receive or a send is pending.</summary>
    ValueTask CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken);

    /// <summary>Cuts the connection without a close handshake.</summary>
    void Abort();
}

/// <summary>A received message, or the close that ended the connection. Dispose it to return its buffer.</summary>
internal readonly struct ReceivedMessage : IDisposable
{
    private readonly byte[]? _buffer;

    private ReceivedMessage(WebSocketMessageType type, byte[]? buffer, int length, int closeCode, string? closeReason)
    {
        Type = type;
        _buffer = buffer;
        Length = length;
        CloseCode = closeCode;
        CloseReason = closeReason;
    }

    public WebSocketMessageType Type { get; }

    public int Length { get; }

    public ReadOnlyMemory<byte> Payload => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    public bool IsClose => Type == WebSocketMessageType.Close;

    /// <summary>The close code (1006 when the connection ended without a close frame).</summary>
    public int CloseCode { get; }

    public string? CloseReason { get; }

    public static ReceivedMessage Message(WebSocketMessageType type, byte[] pooledBuffer, int length) => new(type, pooledBuffer, length, 0, null);

    public static ReceivedMessage Closed(int code, string? reason) => new(WebSocketMessageType.Close, null, 0, code, reason);

    public void Dispose()
    {
        if (_buffer is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
