using System.Net.Sockets;
using WssKit.Server.Transport;
using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Transport;

/// <summary>The epoll loop on a Unix-domain socket pair: arrivals, room to write again, and the end of a registration.</summary>
public sealed class SocketEventLoopTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly Socket _watched;
    private readonly Socket _peer;

    public SocketEventLoopTests()
    {
        (_watched, _peer) = (_pair.Accepted, _pair.Peer);
        _watched.Blocking = false;
    }

    public void Dispose() => _pair.Dispose();

    [Fact]
    public async Task Readable_BytesArriveAfterTheWaitBegan_WakesIt()
    {
        using var readiness = SocketEventLoop.Register(_watched);
        var wait = readiness.Readable.WaitAsync(readiness.Readable.Events).AsTask();
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        _peer.Send("x"u8);

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Readable_BytesWereThereBeforeTheRegistration_ReportedAtOnce()
    {
        _peer.Send("x"u8);
        await Task.Delay(50);

        using var readiness = SocketEventLoop.Register(_watched);

        await readiness.Readable.WaitAsync(seen: 0).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Writable_TheFullSocketIsReadByThePeer_WakesIt()
    {
        using var readiness = SocketEventLoop.Register(_watched);
        var chunk = new byte[64 * 1024];
        int seen;
        while (true)
        {
            seen = readiness.Writable.Events;
            if (_watched.Send(chunk, SocketFlags.None, out var error) == 0 || error == SocketError.WouldBlock)
            {
                break;
            }
        }
        var wait = readiness.Writable.WaitAsync(seen).AsTask();

        // Everything the peer has, and never a read that would block: the wake-up may land after the last read.
        var sink = new byte[1 << 20];
        while (_peer.Available > 0)
        {
            _peer.Receive(sink);
        }

        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DisposeBeforeClose_WhileAReadWaits_TheWaitFailsAndTheClosedSocketsNextNumberIsWatchedAnew()
    {
        var readiness = SocketEventLoop.Register(_watched);
        var wait = readiness.Readable.WaitAsync(readiness.Readable.Events).AsTask();

        readiness.DisposeBeforeClose();
        _watched.Dispose();

        await Assert.ThrowsAsync<IOException>(() => wait);
        // Its descriptor number is free again, and most likely the next socket's: that one is added to epoll afresh.
        using var next = new UnixSocketPair();
        using var again = SocketEventLoop.Register(next.Accepted);
        next.Peer.Send("x"u8);
        await again.Readable.WaitAsync(seen: 0).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Dispose_WhileAReadWaits_TheWaitFailsAndAnotherRegistrationWorks()
    {
        var readiness = SocketEventLoop.Register(_watched);
        var wait = readiness.Readable.WaitAsync(readiness.Readable.Events).AsTask();

        readiness.Dispose();

        await Assert.ThrowsAsync<IOException>(() => wait);
        using var again = SocketEventLoop.Register(_watched);
        _peer.Send("x"u8);
        await again.Readable.WaitAsync(seen: 0).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }
}
