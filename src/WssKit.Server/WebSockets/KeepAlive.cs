namespace WssKit.Server.WebSockets;

/// <summary>
/// One timer for all connections: each tick asks every open connection whether a ping, an idle close or a drop is
/// due. A connection costs no timer of its own, and 10,000 idle connections cost one sweep a tick.
/// </summary>
internal sealed class KeepAlive : IDisposable
{
    private readonly ConnectionRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _now;

    public KeepAlive(ConnectionRegistry registry, ConnectionSettings settings, TimeProvider time)
    {
        _registry = registry;
        _time = time;
        _now = time.GetTimestamp();
        var period = Period(settings);
        _timer = time.CreateTimer(static state => ((KeepAlive)state!).Sweep(), this, period, period);
    }

    /// <summary>
    /// The time of the last tick, as a <see cref="TimeProvider"/> timestamp: connections stamp their activity with it
    /// instead of reading the clock per message (a clock read costs more than the rest of an echo's bookkeeping).
    /// </summary>
    public long Now => Volatile.Read(ref _now);

    public TimeProvider Time => _time;

    /// <summary>A quarter of the shortest timeout, between 50 ms and 1 s: timeouts fire at most a quarter late.</summary>
    internal static TimeSpan Period(ConnectionSettings settings)
    {
        var shortest = new[] { settings.PingInterval, settings.PingTimeout, settings.IdleTimeout }
            .Where(timeout => timeout > TimeSpan.Zero).DefaultIfEmpty(TimeSpan.FromSeconds(4)).Min();
        return TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
    }

    public void Dispose() => _timer.Dispose();

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        Volatile.Write(ref _now, now);
        foreach (var connection in _registry.Open)
        {
            connection.Tick(now);
        }
    }
}
