using System.Collections.Concurrent;
using WssKit.Server.WebSockets;

namespace WssKit.Server.Metrics;

/// <summary>
/// The server's counters. Nothing here is touched per message: each connection counts its own messages and bytes
/// in plain fields, added here when it closes; the exporter adds the open connections' counts when scraped.
/// </summary>
internal sealed class ServerMetrics
{
    private long _connectionsOpen;
    private long _connectionsTotal;
    private long _upgradesHttp11;
    private long _upgradesHttp2;
    private long _closedMessagesReceived;
    private long _closedMessagesSent;
    private long _closedBytesReceived;
    private long _closedBytesSent;
    private readonly ConcurrentDictionary<(string Stage, string Reason), long> _handshakeFailures = new();
    private readonly ConcurrentDictionary<int, long> _closes = new();
    private readonly ConcurrentDictionary<string, long> _drops = new();
    private readonly ConcurrentDictionary<int, long> _protocolErrors = new();

    public long ConnectionsOpen => Interlocked.Read(ref _connectionsOpen);
    public long ConnectionsTotal => Interlocked.Read(ref _connectionsTotal);
    public long UpgradesHttp11 => Interlocked.Read(ref _upgradesHttp11);
    public long UpgradesHttp2 => Interlocked.Read(ref _upgradesHttp2);

    /// <summary>Messages and bytes of connections that have closed (the open ones keep their own counts).</summary>
    public (long MessagesReceived, long MessagesSent, long BytesReceived, long BytesSent) Closed
        => (Interlocked.Read(ref _closedMessagesReceived), Interlocked.Read(ref _closedMessagesSent),
            Interlocked.Read(ref _closedBytesReceived), Interlocked.Read(ref _closedBytesSent));

    /// <summary>Failed handshakes by stage (tls, upgrade) and reason.</summary>
    public IReadOnlyDictionary<(string Stage, string Reason), long> HandshakeFailures => _handshakeFailures;

    /// <summary>Closed connections by close code (1006 when the connection ended without a close frame).</summary>
    public IReadOnlyDictionary<int, long> Closes => _closes;

    /// <summary>Connections the server cut off, by reason (ping-timeout, close-timeout, slow-consumer, write-failed).</summary>
    public IReadOnlyDictionary<string, long> Drops => _drops;

    /// <summary>Connections failed for breaking the protocol, by the close code sent (1002, 1007, 1009).</summary>
    public IReadOnlyDictionary<int, long> ProtocolErrors => _protocolErrors;

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connectionsOpen);
        Interlocked.Increment(ref _connectionsTotal);
    }

    /// <summary>A WebSocket was opened over HTTP/1.1 (101 Switching Protocols) or HTTP/2 (RFC 8441 extended CONNECT).</summary>
    public void Upgraded(bool http2) => Interlocked.Increment(ref http2 ? ref _upgradesHttp2 : ref _upgradesHttp11);

    public void ConnectionClosed(int closeCode, WebSocketConnection connection)
    {
        Interlocked.Decrement(ref _connectionsOpen);
        Interlocked.Add(ref _closedMessagesReceived, connection.MessagesReceived);
        Interlocked.Add(ref _closedMessagesSent, connection.MessagesSent);
        Interlocked.Add(ref _closedBytesReceived, connection.BytesReceived);
        Interlocked.Add(ref _closedBytesSent, connection.BytesSent);
        _closes.AddOrUpdate(closeCode, 1, static (_, count) => count + 1);
    }

    public void ConnectionDropped(string reason) => _drops.AddOrUpdate(reason, 1, static (_, count) => count + 1);

    public void ProtocolError(int closeCode) => _protocolErrors.AddOrUpdate(closeCode, 1, static (_, count) => count + 1);

    public void HandshakeFailed(string stage, string reason)
        => _handshakeFailures.AddOrUpdate((stage, reason), 1, static (_, count) => count + 1);
}
