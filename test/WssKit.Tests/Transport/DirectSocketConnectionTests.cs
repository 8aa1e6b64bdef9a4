using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using WssKit.Server.Transport;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Transport;

/// <summary>
/// An accepted socket as Kestrel's connection: Kestrel's dispose closes it, unless a WebSocket took it to outlive
/// Kestrel; then what Kestrel hung on it is let go, and the socket stays open until the WebSocket closes it.
/// </summary>
public sealed class DirectSocketConnectionTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly Socket _accepted;
    private readonly Socket _peer;
    private readonly DirectSocketConnection _connection;

    public DirectSocketConnectionTests()
    {
        (_accepted, _peer) = (_pair.Accepted, _pair.Peer);
        _peer.ReceiveTimeout = 5000;
        _connection = new DirectSocketConnection(_accepted, new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), NullLogger.Instance));
    }

    public void Dispose() => _pair.Dispose();

    [Fact]
    public async Task KestrelDisposes_ConnectionKestrels_SocketClosed()
    {
        await _connection.DisposeAsync();

        Assert.Equal(0, _peer.Receive(new byte[1]));
    }

    [Fact]
    public async Task KestrelDisposes_ConnectionOutlivesKestrel_SocketOpenAndKestrelsFeaturesLetGo()
    {
        Assert.True(_connection.TryTakeSocket());
        var kestrelState = HangKestrelStateOn(_connection);
        _connection.OutliveKestrel();

        await _connection.DisposeAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.False(kestrelState.IsAlive, "Kestrel's state is still reachable from the connection");
        _peer.Send("still open"u8);
        var received = new byte[16];
        Assert.Equal("still open", System.Text.Encoding.ASCII.GetString(received, 0, _accepted.Receive(received)));

        await _connection.CloseAsync();
        Assert.Equal(0, _peer.Receive(received));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference HangKestrelStateOn(DirectSocketConnection connection)
    {
        var state = new object();
        connection.Features.Set(state);
        connection.Items["kestrel"] = state;
        return new WeakReference(state);
    }
}
