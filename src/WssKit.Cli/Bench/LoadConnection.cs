using WssKit.Protocol.Framing;

namespace WssKit.Cli.Bench;

/// <summary>
/// One upgraded connection under load: the stream, its scanner and its counters. A scenario's loop drives it; the
/// counters are plain fields written by that loop only and read by the progress line and at the end.
/// </summary>
internal sealed class LoadConnection(OpenedStream opened, FramePool pool, int readBuffer)
{
    private int _disposed;

    public Stream Stream { get; } = opened.Stream;

    public EchoScanner Scanner { get; } = new(pool.Payload, pool.Binary);

    /// <summary>The read buffer: large, so that one read takes everything the server has sent.</summary>
    public byte[] Buffer { get; } = new byte[readBuffer];

    /// <summary>Where this connection's next frame starts in the pool, so connections use different masking keys.</summary>
    public int Cursor;

    /// <summary>Messages written.</summary>
    public long Sent;

    /// <summary>Echoes read back.</summary>
    public long Received;

    /// <summary>The load loop sends no more and every message it sent has come back (or the connection ended).</summary>
    public bool Drained
    {
        get => Volatile.Read(ref _drained);
        set => Volatile.Write(ref _drained, value);
    }

    private bool _drained;

    /// <summary>Why the connection ended early, or null.</summary>
    public string? Error { get; private set; }

    public long InFlight => Sent - Received;

    /// <summary>Feeds the bytes that came with the upgrade answer; returns how many whole messages they held.</summary>
    public int FeedLeftover() => opened.Leftover.Length == 0 ? 0 : Scanner.Feed(opened.Leftover);

    /// <summary>Writes the pending pongs or close reply, if any.</summary>
    public async ValueTask WriteControlAsync()
    {
        if (Scanner.HasControlToSend)
        {
            await Stream.WriteAsync(Scanner.ControlToSend);
            Scanner.ControlSent();
        }
    }

    /// <summary>
    /// Notes why the connection ended early (the first reason wins) and reports whether this was a failure: a
    /// close or error after <see cref="Dispose"/> is the run's own doing.
    /// </summary>
    public bool Fail(string reason)
    {
        if (Volatile.Read(ref _disposed) != 0 || Error is not null)
        {
            return false;
        }
        Error = reason;
        return true;
    }

    /// <summary>What ended a loop that read no more: a close, a protocol error, or the end of the stream.</summary>
    public string EndReason(bool endOfStream)
        => Scanner.ProtocolError is { } protocol ? $"protocol error: {protocol}"
            : Scanner.CloseReceived ? $"the server closed a connection during the run (code {Scanner.CloseCode})"
            : endOfStream ? "the server ended a connection without a close frame"
            : "the connection ended";

    /// <summary>
    /// Why the connection broke, when a write or read failed: a server that closes (say with 1009, message too big)
    /// often resets the connection while we are still writing, but its close frame may still be waiting to be
    /// read, and it says more than "broken pipe". Reads what is there for up to a second.
    /// </summary>
    public async Task<string> ExplainBreakAsync(Exception exception)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var buffer = Buffer.Length > 0 ? Buffer : new byte[4096];
        try
        {
            while (!Scanner.CloseReceived && Scanner.ProtocolError is null)
            {
                var read = await Stream.ReadAsync(buffer, limit.Token);
                if (read == 0)
                {
                    break;
                }
                Received += Scanner.Feed(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException or OperationCanceledException)
        {
            // Nothing more to learn.
        }
        return Scanner.CloseReceived || Scanner.ProtocolError is not null
            ? EndReason(endOfStream: false)
            : $"a connection broke: {exception.Message.TrimEnd('.')}";
    }

    /// <summary>
    /// The closing handshake: our close (code 1000), then reading until the server's close comes back. Messages
    /// still in flight are counted as they arrive. Bounded by the run's hard limit, which disposes the stream.
    /// </summary>
    public async Task CloseAsync()
    {
        try
        {
            Scanner.QueueClose(CloseCodes.NormalClosure);
            await WriteControlAsync();
            while (!Scanner.CloseReceived && Scanner.ProtocolError is null)
            {
                var read = await Stream.ReadAsync(Buffer);
                if (read == 0)
                {
                    break;
                }
                Received += Scanner.Feed(Buffer.AsSpan(0, read));
                await WriteControlAsync();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // Closing is best effort: the figures are already counted.
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Ends the connection now (the hard limit, or after the close).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Stream.Dispose();
        }
    }
}
