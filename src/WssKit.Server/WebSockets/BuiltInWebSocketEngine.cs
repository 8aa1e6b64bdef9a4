using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using WssKit.Server.Configuration;

namespace WssKit.Server.WebSockets;

/// <summary>
/// The engine on .NET's own WebSocket (ManagedWebSocket, through ASP.NET Core's upgrade for HTTP/1.1 and HTTP/2):
/// keep-alive pings with a pong timeout, and whole messages up to the size limit.
/// </summary>
internal sealed class BuiltInWebSocketEngine(WssServerOptions options) : IWebSocketEngine
{
    public async Task<IWebSocketConnection> AcceptAsync(HttpContext context, string? subProtocol)
    {
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = options.PingInterval,
            // A ping that gets no pong within this time aborts the connection: the peer is dead.
            KeepAliveTimeout = options.PingInterval > TimeSpan.Zero ? options.PingTimeout : Timeout.InfiniteTimeSpan,
            DangerousEnableCompression = false,
        });
        return new Connection(socket, options.MaxMessageSize);
    }

    private sealed class Connection(WebSocket socket, long maxMessageSize) : IWebSocketConnection
    {
        private const int FirstBufferSize = 4096;
        private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(2);

        public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(FirstBufferSize);
            var length = 0;
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        buffer = Grow(buffer, length);
                    }
                    var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return await AnswerCloseAsync(cancellationToken);
                    }
                    length += result.Count;
                    if (length > maxMessageSize)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return await RefuseTooBigAsync(cancellationToken);
                    }
                    if (result.EndOfMessage)
                    {
                        return ReceivedMessage.Message(result.MessageType, buffer, length);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return ReceivedMessage.Closed(socket.CloseStatus is { } status ? (int)status : 1006, e.Message);
            }
        }

        public ValueTask SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type, CancellationToken cancellationToken)
            => socket.SendAsync(payload, type, endOfMessage: true, cancellationToken);

        public async ValueTask CloseAsync(WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
        {
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(status, reason, cancellationToken);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                socket.Abort();
            }
        }

        public void Abort() => socket.Abort();

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        private async ValueTask<ReceivedMessage> AnswerCloseAsync(CancellationToken cancellationToken)
        {
            var code = socket.CloseStatus is { } status ? (int)status : 1005;
            var reason = socket.CloseStatusDescription;
            if (socket.State == WebSocketState.CloseReceived)
            {
                // Echo the peer's code, as RFC 6455 §5.5.1 suggests; 1005 (no code) cannot be sent, so answer 1000.
                await CloseAsync(code == 1005 ? WebSocketCloseStatus.NormalClosure : (WebSocketCloseStatus)code, "", cancellationToken);
            }
            return ReceivedMessage.Closed(code, reason);
        }

        private async ValueTask<ReceivedMessage> RefuseTooBigAsync(CancellationToken cancellationToken)
        {
            await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"message too big: the limit is {Units.FormatSize(maxMessageSize)}", cancellationToken);
            await DrainUntilCloseAsync();
            return ReceivedMessage.Closed((int)WebSocketCloseStatus.MessageTooBig, "message too big");
        }

        // After our close, the peer may still be sending the rest of the message: read and discard it, for a
        // bounded time, so the peer sees our close frame rather than a reset connection.
        private async ValueTask DrainUntilCloseAsync()
        {
            var scratch = ArrayPool<byte>.Shared.Rent(FirstBufferSize);
            using var limit = new CancellationTokenSource(DrainTime);
            try
            {
                while (socket.State == WebSocketState.CloseSent)
                {
                    await socket.ReceiveAsync(scratch.AsMemory(), limit.Token);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer went away or took too long: the connection is being closed anyway.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        private byte[] Grow(byte[] buffer, int length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxMessageSize + 1));
            buffer.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            return larger;
        }
    }
}
