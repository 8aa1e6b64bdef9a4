using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace WssKit.Server.Transport;

/// <summary>
/// An accepted socket as a Kestrel connection that has not yet chosen how it will be read. The native TLS layer takes
/// the socket itself (<see cref="TryTakeSocket"/>): OpenSSL then reads and writes it with no pipe in between.
/// Anything that asks for <see cref="Transport"/> first gets Kestrel's own socket connection and its pipes.
/// </summary>
internal sealed class DirectSocketConnection : ConnectionContext, IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    private static readonly string IdPrefix = $"{Environment.ProcessId:X}-";
    private static long s_lastId;

    private readonly SocketConnectionContextFactory _pipesFactory;
    private readonly CancellationTokenSource _closed = new();
    private ConnectionContext? _pipes;
    private SocketReadiness? _readiness;
    private IDuplexPipe? _transport;
    private bool _taken;
    private bool _outlivesKestrel;
    private int _shutDown;
    private IFeatureCollection _features;
    private string? _id;
    private IDictionary<object, object?>? _items;

    public DirectSocketConnection(Socket socket, SocketConnectionContextFactory pipes)
    {
        Socket = socket;
        _pipesFactory = pipes;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _features = new FeatureCollection();
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        Features.Set(this);
    }

    /// <summary>The accepted socket; read it only through <see cref="Peek"/> until it is taken.</summary>
    public Socket Socket { get; }

    public override string ConnectionId { get => _id ??= IdPrefix + Interlocked.Increment(ref s_lastId).ToString("X"); set => _id = value; }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items { get => _items ??= new Dictionary<object, object?>(); set => _items = value; }

    public override CancellationToken ConnectionClosed { get => _closed.Token; set => throw new NotSupportedException("the connection's closed token is its own"); }

    /// <summary>Kestrel's pipes over the socket, made on first use; middleware may put its own in their place.</summary>
    public override IDuplexPipe Transport
    {
        get => _transport ??= Pipes().Transport;
        set => _transport = value;
    }

    /// <summary>Whether the socket can be read or written, from our own event loop; until Kestrel's pipes take it.</summary>
    public SocketReadiness Readiness => _readiness ??= SocketEventLoop.Register(Socket);

    /// <summary>Waits until the client has sent something, or closed.</summary>
    public ValueTask WaitForDataAsync(CancellationToken cancellationToken) => SocketEventLoop.IsSupported
        ? Readiness.Readable.WaitAsync(seen: 0, cancellationToken) // any event since the socket was registered
        : WaitWithDotNetAsync(cancellationToken);

    private async ValueTask WaitWithDotNetAsync(CancellationToken cancellationToken)
        => await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);

    /// <summary>Copies what has arrived without consuming it: the count, 0 when the client closed without sending anything.</summary>
    public int Peek(Span<byte> buffer) => Socket.Receive(buffer, SocketFlags.Peek);

    /// <summary>Takes the socket for I/O of its own: false when Kestrel's pipes already read it.</summary>
    public bool TryTakeSocket()
    {
        if (_pipes is not null)
        {
            return false;
        }
        _taken = true;
        return true;
    }

    /// <summary>
    /// For the one that took the socket: the connection goes on after Kestrel is done with it (a WebSocket), so
    /// Kestrel's dispose lets go of what Kestrel hung on it instead of closing it; <see cref="CloseAsync"/> closes it.
    /// </summary>
    public void OutliveKestrel() => _outlivesKestrel = true;

    /// <summary>For the one that took the socket: the client has gone, or nothing more will be read.</summary>
    public void ReportClosed() => ThreadPool.UnsafeQueueUserWorkItem(static closed => Cancel(closed), _closed, preferLocal: false);

    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (_pipes is not null)
        {
            _pipes.Abort(abortReason);
            return;
        }
        // Pending receives and sends end; the socket stays open until disposed, after whoever took it is done with
        // its descriptor.
        ShutDown();
    }

    public override ValueTask DisposeAsync()
    {
        if (_outlivesKestrel)
        {
            // Kestrel's connection object and its features must not stay reachable for the WebSocket's hours.
            _features = new FeatureCollection();
            _items = null;
            return ValueTask.CompletedTask;
        }
        return CloseAsync();
    }

    /// <summary>Closes the connection: Kestrel's pipes if it made them, else the socket.</summary>
    public async ValueTask CloseAsync()
    {
        if (_pipes is not null)
        {
            await _pipes.DisposeAsync();
        }
        else
        {
            ShutDown();
            _readiness?.DisposeBeforeClose();
            Socket.Dispose();
        }
        Cancel(_closed);
    }

    private ConnectionContext Pipes()
    {
        if (_taken)
        {
            throw new InvalidOperationException("the socket was taken by the native TLS layer; its pipes are not available");
        }
        if (_pipes is null)
        {
            // From here .NET's socket machinery watches the socket.
            _readiness?.Dispose();
            _pipes = _pipesFactory.Create(Socket);
            _pipes.ConnectionClosed.UnsafeRegister(static closed => Cancel((CancellationTokenSource)closed!), _closed);
        }
        return _pipes;
    }

    /// <summary>
    /// Ends both directions, once (a second shutdown would only fail): what waits to read sees the end. The socket
    /// stays open until it is closed.
    /// </summary>
    public void ShutDown()
    {
        if (Interlocked.Exchange(ref _shutDown, 1) == 1)
        {
            return;
        }
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed.
        }
    }

    private static void Cancel(CancellationTokenSource closed)
    {
        try
        {
            closed.Cancel();
        }
        catch (AggregateException)
        {
            // A callback's own failure: the connection is closed all the same.
        }
    }
}
