namespace WssKit.Server.Tls.Native;

/// <summary>
/// The WebSockets on the native TLS layer that run on after Kestrel has let go of their connections (Kestrel's
/// per-connection state would otherwise stay reachable for a WebSocket's hours): counted, so that a shutdown waits
/// for them as Kestrel waits for its own connections.
/// </summary>
internal sealed class WebSocketsAfterKestrel
{
    private int _running;

    /// <summary>How many are running.</summary>
    public int Running => Volatile.Read(ref _running);

    public void Started() => Interlocked.Increment(ref _running);

    public void Ended() => Interlocked.Decrement(ref _running);

    /// <summary>Waits until none is running, or <paramref name="cancellationToken"/> is cancelled; returns whether none is running.</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        // Polled: this runs once, at shutdown, and a counter costs the connections nothing.
        while (Running > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }
        return Running == 0;
    }
}
