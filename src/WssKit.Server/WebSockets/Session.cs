using System.Net.WebSockets;
using WssKit.Server.Metrics;

namespace WssKit.Server.WebSockets;

/// <summary>
/// A connection as an endpoint sees it: receive and send whole messages, counted in the metrics, with the time of
/// the last message kept for the idle timeout (one field write per message, no timer reset).
/// </summary>
internal sealed class Session(IWebSocketConnection connection, ServerMetrics metrics, TimeProvider time)
{
    private long _lastActivity = time.GetTimestamp();

    public IWebSocketConnection Connection => connection;

    /// <summary>When the last message was received or sent, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = await connection.ReceiveAsync(cancellationToken);
        if (!message.IsClose)
        {
            metrics.MessageReceived(message.Length);
            Volatile.Write(ref _lastActivity, time.GetTimestamp());
        }
        return message;
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await connection.SendAsync(payload, type, cancellationToken);
        metrics.MessageSent(payload.Length);
        Volatile.Write(ref _lastActivity, time.GetTimestamp());
    }
}
