using System.Collections.Concurrent;

namespace WssKit.Server.Metrics;

/// <summary>
/// The server's counters. The hot path only does an interlocked add on a plain field; the Prometheus exporter reads
/// the fields when scraped, so counting costs nothing extra per message.
/// </summary>
internal sealed class ServerMetrics
{
    private long _connectionsOpen;
    private long _connectionsTotal;
    private long _messagesReceived;
    private long _messagesSent;
    private long _bytesReceived;
    private long _bytesSent;
    private long _upgradesHttp11;
    private long _upgradesHttp2;
    private readonly ConcurrentDictionary<(string Stage, string Reason), long> _handshakeFailures = new();
    private readonly ConcurrentDictionary<int, long> _closes = new();

    public long ConnectionsOpen => Interlocked.Read(ref _connectionsOpen);
    public long ConnectionsTotal => Interlocked.Read(ref _connectionsTotal);
    public long MessagesReceived => Interlocked.Read(ref _messagesReceived);
    public long MessagesSent => Interlocked.Read(ref _messagesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long UpgradesHttp11 => Interlocked.Read(ref _upgradesHttp11);
    public long UpgradesHttp2 => Interlocked.Read(ref _upgradesHttp2);

    /// <summary>Failed handshakes by stage (tls, upgrade) and reason.</summary>
    public IReadOnlyDictionary<(string Stage, string Reason), long> HandshakeFailures => _handshakeFailures;

    /// <summary>Closed connections by close code (1006 when the connection ended without a close frame).</summary>
    public IReadOnlyDictionary<int, long> Closes => _closes;

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connectionsOpen);
        Interlocked.Increment(ref _connectionsTotal);
    }

    /// <summary>A WebSocket was opened over HTTP/1.1 (101 Switching Protocols) or HTTP/2 (RFC 8441 extended CONNECT).</summary>
    public void Upgraded(bool http2) => Interlocked.Increment(ref http2 ? ref _upgradesHttp2 : ref _upgradesHttp11);

    public void ConnectionClosed(int closeCode)
    {
        Interlocked.Decrement(ref _connectionsOpen);
        _closes.AddOrUpdate(closeCode, 1, static (_, count) => count + 1);
    }

    public void MessageReceived(int bytes)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    public void MessageSent(int bytes)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    public void HandshakeFailed(string stage, string reason)
        => _handshakeFailures.AddOrUpdate((stage, reason), 1, static (_, count) => count + 1);
}
