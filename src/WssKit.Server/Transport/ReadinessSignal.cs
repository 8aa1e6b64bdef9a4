using System.Threading.Tasks.Sources;

namespace WssKit.Server.Transport;

/// <summary>
/// One direction of a socket's readiness (readable, or writable), as epoll reports it, edge-triggered: a count of the
/// events seen, and one waiter. A waiter passes the count it read before its last attempt on the socket, and is woken
/// at once when an event came since, so that nothing that arrives between the attempt and the wait is missed.
/// The waiter's continuation runs on the thread that signals (the event loop's): the read, the WebSocket engine and
/// the reply all happen there, as with Kestrel's inline socket scheduling.
/// </summary>
internal sealed class ReadinessSignal : IValueTaskSource
{
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core; // continuations run synchronously: the default
    private int _events;
    private bool _waiting;
    private bool _ended;
    private CancellationTokenRegistration _cancellation;

    /// <summary>The events seen so far; read it before trying the socket.</summary>
    public int Events => Volatile.Read(ref _events);

    /// <summary>Completes when an event came after <paramref name="seen"/> was read; fails once the socket is no longer watched.</summary>
    public ValueTask WaitAsync(int seen, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return ValueTask.FromException(Ended());
            }
            if (_events != seen)
            {
                return ValueTask.CompletedTask;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }
            _core.Reset();
            _waiting = true;
        }
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (signal, token) => ((ReadinessSignal)signal!).Cancel(token), this);
        }
        return new ValueTask(this, _core.Version);
    }

    /// <summary>For the event loop: an event of this direction. Also for a waiter's owner that wants it to try the socket again now.</summary>
    public void Signal()
    {
        bool wake;
        lock (_lock)
        {
            _events++;
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>No more events will come: a waiter, and every later wait, fails (a wait that ended would spin).</summary>
    public void End()
    {
        bool wake;
        lock (_lock)
        {
            _ended = true;
            wake = _waiting;
            _waiting = false;
        }
        if (wake)
        {
            _core.SetException(Ended());
        }
    }

    private static IOException Ended() => new("the socket is no longer watched: the connection was closed");

    private void Cancel(CancellationToken token)
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                return;
            }
            _waiting = false;
        }
        _core.SetException(new OperationCanceledException(token));
    }

    void IValueTaskSource.GetResult(short token)
    {
        // Never waits for a cancellation callback that is running: it finds no waiter and returns.
        _cancellation.Unregister();
        _cancellation = default;
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
