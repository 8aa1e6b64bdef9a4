using System.Collections.Concurrent;
using System.Net;
using WssKit.Protocol.Framing;
using WssKit.Server.Configuration;
using WssKit.Server.Metrics;

namespace WssKit.Server.WebSockets;

/// <summary>
/// The open WebSocket connections: enforces the total and per-IP limits at upgrade time and closes everyone with
/// 1001 on shutdown.
/// </summary>
internal sealed class ConnectionRegistry(WssServerOptions options, ServerMetrics metrics)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly ConcurrentDictionary<long, WebSocketConnection> _open = new();
    private readonly IReadOnlyList<IPNetwork> _exempt = [.. options.PerIpLimitExempt.Select(IPNetwork.Parse)];
    private long _nextId;
    private int _count;
    private volatile bool _closing;

    /// <summary>Why a new connection is refused, or null when it may proceed (a slot is then reserved).</summary>
    public string? TryReserve(IPAddress? client)
    {
        client = Normalize(client);
        lock (_gate)
        {
            if (_closing)
            {
                return "shutting-down";
            }
            if (_count >= options.MaxConnections)
            {
                return "max-connections";
            }
            if (client is not null && options.MaxConnectionsPerIp > 0 && !IsExempt(client))
            {
                _perAddress.TryGetValue(client, out var fromClient);
                if (fromClient >= options.MaxConnectionsPerIp)
                {
                    return "max-connections-per-ip";
                }
                _perAddress[client] = fromClient + 1;
            }
            _count++;
            return null;
        }
    }

    /// <summary>Gives back a slot reserved with <see cref="TryReserve"/>.</summary>
    public void Release(IPAddress? client)
    {
        client = Normalize(client);
        lock (_gate)
        {
            _count--;
            if (client is not null && _perAddress.TryGetValue(client, out var fromClient))
            {
                if (fromClient <= 1)
                {
                    _perAddress.Remove(client);
                }
                else
                {
                    _perAddress[client] = fromClient - 1;
                }
            }
        }
    }

    /// <summary>Tracks an open connection until the returned handle is disposed.</summary>
    public Registration Track(WebSocketConnection connection)
    {
        var id = Interlocked.Increment(ref _nextId);
        _open[id] = connection;
        metrics.ConnectionOpened();
        if (_closing)
        {
            connection.Close(CloseCodes.GoingAway, "server shutting down");
        }
        return new Registration(this, id);
    }

    /// <summary>The open connections, for the keep-alive sweep and the metrics.</summary>
    public IEnumerable<WebSocketConnection> Open => _open.Values;

    /// <summary>
    /// Refuses new connections and starts the close handshake (1001) with every open one. Returns how many
    /// WebSockets it closes: those open, and those whose upgrade is under way (a client can have its 101 before
    /// its connection is tracked), which <see cref="Track"/> closes as they arrive.
    /// </summary>
    public int CloseAll(string reason)
    {
        int closing;
        lock (_gate)
        {
            _closing = true;
            closing = _count;
        }
        foreach (var connection in _open.Values)
        {
            connection.Close(CloseCodes.GoingAway, reason);
        }
        return closing;
    }

    /// <summary>Cuts every open connection at once, without a close frame: a shutdown whose timeout has passed.</summary>
    public void AbortAll(string reason)
    {
        foreach (var connection in _open.Values)
        {
            connection.Abort(reason);
        }
    }

    /// <summary>Whether the server is shutting down.</summary>
    public bool Closing => _closing;

    // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; count them as the IPv4 address they are.
    private static IPAddress? Normalize(IPAddress? client) => client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4() : client;

    private bool IsExempt(IPAddress client)
    {
        foreach (var network in _exempt)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }
        return false;
    }

    private void Complete(long id, int closeCode)
    {
        if (_open.TryRemove(id, out var connection))
        {
            metrics.ConnectionClosed(closeCode, connection);
        }
    }

    internal readonly struct Registration(ConnectionRegistry registry, long id)
    {
        public void Complete(int closeCode) => registry.Complete(id, closeCode);
    }
}
