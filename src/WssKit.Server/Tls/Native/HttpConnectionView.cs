using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// The connection as Kestrel's HTTP layer sees it on the native TLS layer: the real connection's features plus the
/// TLS ones, the decrypted <see cref="DetachablePipe"/> as transport, and a heartbeat that can be let go. Kestrel's
/// HTTP layer registers a heartbeat callback for the life of the connection that keeps its whole per-request state
/// reachable; once a WebSocket has taken the connection over (<see cref="ContinueAfterRequest"/>), it is dropped.
/// </summary>
internal sealed class HttpConnectionView : ConnectionContext, IConnectionHeartbeatFeature, IConnectionTransportFeature, IConnectionTakeoverFeature
{
    private readonly ConnectionContext _connection;
    private readonly DetachablePipe _transport;
    private volatile (Action<object> Callback, object State)[] _heartbeats = [];
    private IFeatureCollection _features;

    public HttpConnectionView(ConnectionContext connection, DetachablePipe transport)
    {
        _connection = connection;
        _transport = transport;
        _features = new FeatureCollection(connection.Features);
        _features.Set<IConnectionHeartbeatFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionTakeoverFeature>(this);
        connection.Features.Get<IConnectionHeartbeatFeature>()?.OnHeartbeat(static state => ((HttpConnectionView)state).Beat(), this);
    }

    public override string ConnectionId { get => _connection.ConnectionId; set => _connection.ConnectionId = value; }

    public override IFeatureCollection Features => _features;

    /// <summary>What runs once Kestrel's HTTP layer is done with the connection, if a WebSocket took it over.</summary>
    public Func<IDuplexPipe, Action, Task>? Continuation { get; private set; }

    public override IDictionary<object, object?> Items { get => _connection.Items; set => _connection.Items = value; }

    public override IDuplexPipe Transport { get => _transport; set => throw new NotSupportedException("the native TLS layer's transport is fixed"); }

    public override CancellationToken ConnectionClosed { get => _connection.ConnectionClosed; set => _connection.ConnectionClosed = value; }

    public override EndPoint? LocalEndPoint { get => _connection.LocalEndPoint; set => _connection.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => _connection.RemoteEndPoint; set => _connection.RemoteEndPoint = value; }

    public override void Abort() => _connection.Abort();

    public override void Abort(ConnectionAbortedException abortReason) => _connection.Abort(abortReason);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void OnHeartbeat(Action<object> action, object state)
    {
        // Copy on write: Kestrel registers one callback per connection, the heartbeat reads them every second.
        (Action<object>, object)[] current, next;
        do
        {
            current = _heartbeats;
            next = [.. current, (action, state)];
        }
        while (Interlocked.CompareExchange(ref _heartbeats, next, current) != current);
    }

    /// <summary>Cuts Kestrel's HTTP layer off the connection, whose state then no longer needs to be reachable.</summary>
    public void ContinueAfterRequest(Func<IDuplexPipe, Action, Task> run)
    {
        _transport.Detach();
        _heartbeats = [];
        Continuation = run;
    }

    /// <summary>
    /// Kestrel's HTTP layer has finished with the view: its features go, and what they hold with them. The view stays
    /// registered for the connection's heartbeat (an empty forwarder once a WebSocket took over), so it must hold little.
    /// </summary>
    public void EndOfHttp() => _features = new FeatureCollection();

    private void Beat()
    {
        foreach (var (callback, state) in _heartbeats)
        {
            callback(state);
        }
    }
}
