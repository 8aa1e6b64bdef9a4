using System.Net.WebSockets;

namespace WssKit.Server.WebSockets;

/// <summary>
/// Closes a session (1001) once no message has gone either way for the idle timeout. The timer fires at most once
/// per timeout period and re-arms itself for the time that is left, so busy connections cost no timer work.
/// </summary>
internal sealed class IdleWatch : IDisposable
{
    private readonly Session _session;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private bool _closeSent;

    // A peer that does not answer our close within this time is cut off.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private IdleWatch(Session session, TimeSpan timeout, TimeProvider time)
    {
        _session = session;
        _timeout = timeout;
        _time = time;
        _timer = time.CreateTimer(static state => ((IdleWatch)state!).Check(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Starts watching; returns null when the timeout is off.</summary>
    public static IdleWatch? Start(Session session, TimeSpan timeout, TimeProvider time)
        => timeout > TimeSpan.Zero ? new IdleWatch(session, timeout, time) : null;

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        if (_closeSent)
        {
            _session.Connection.Abort();
            return;
        }
        var idle = _time.GetElapsedTime(_session.LastActivity);
        if (idle >= _timeout)
        {
            _closeSent = true;
            _ = _session.Connection.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "idle timeout", CancellationToken.None);
            _timer.Change(CloseGrace, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(_timeout - idle, Timeout.InfiniteTimeSpan);
        }
    }
}
