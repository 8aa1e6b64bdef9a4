using System.Net.Sockets;

namespace WssKit.Server.Transport;

/// <summary>
/// A socket registered with a <see cref="SocketEventLoop"/>: whether it can be read (<see cref="Readable"/>) or
/// written (<see cref="Writable"/>), without .NET's socket machinery, which would cost a receive that finds the
/// socket empty per pass, and memory per socket for as long as it lives.
/// </summary>
internal sealed class SocketReadiness : IDisposable
{
    private readonly SocketEventLoop _loop;
    private int _registered = 1;
    private bool _peerClosed;

    public SocketReadiness(SocketEventLoop loop, Socket socket, int slot, uint generation)
    {
        _loop = loop;
        Socket = socket;
        Slot = slot;
        Generation = generation;
    }

    public Socket Socket { get; }

    public int Slot { get; }

    public uint Generation { get; }

    /// <summary>Bytes have arrived, or the client closed or reset.</summary>
    public ReadinessSignal Readable { get; } = new();

    /// <summary>The socket takes more bytes again, or the connection failed.</summary>
    public ReadinessSignal Writable { get; } = new();

    /// <summary>
    /// Whether epoll has reported the client's close (or a reset or error): from then on a read that took less than it
    /// asked for does not mean the socket is empty, since the end of the stream is still to be read, and no further
    /// event will say so.
    /// </summary>
    public bool PeerClosed => Volatile.Read(ref _peerClosed);

    /// <summary>For the event loop: what epoll reported.</summary>
    public void OnEvents(uint events)
    {
        if ((events & (Epoll.ReadHangUp | Epoll.HangUp | Epoll.Error)) != 0)
        {
            Volatile.Write(ref _peerClosed, true); // before the wake, so that a woken reader sees it
        }
        // An error or hang-up wakes both directions: the next attempt on the socket reports it.
        if ((events & (Epoll.In | Epoll.ReadHangUp | Epoll.HangUp | Epoll.Error)) != 0)
        {
            Readable.Signal();
        }
        if ((events & (Epoll.Out | Epoll.HangUp | Epoll.Error)) != 0)
        {
            Writable.Signal();
        }
    }

    /// <summary>Stops watching the socket, which stays open (it is handed to .NET's own socket machinery); waiters wake.</summary>
    public void Dispose() => Stop(socketClosesNext: false);

    /// <summary>
    /// Stops watching the socket right before it is closed; waiters wake. The close takes the socket out of epoll, so
    /// this costs no system call.
    /// </summary>
    public void DisposeBeforeClose() => Stop(socketClosesNext: true);

    private void Stop(bool socketClosesNext)
    {
        if (Interlocked.Exchange(ref _registered, 0) == 0)
        {
            return;
        }
        _loop.Remove(this, socketClosesNext);
        Readable.End();
        Writable.End();
    }
}
