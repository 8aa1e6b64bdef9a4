using System.Security.Cryptography;
using WssKit.Protocol.Framing;

namespace WssKit.Cli.Bench;

/// <summary>
/// The sending side of one connection in the latency scenario. The scheduler hands it messages with their
/// scheduled send times and never waits: if a write is still in progress the message queues behind it (and its
/// latency, counted from its scheduled time, grows as it should). The reader takes the times back in order.
/// </summary>
internal sealed class LatencySender(LoadConnection connection, FramePool pool)
{
    private readonly Lock _gate = new();
    private readonly Queue<long> _scheduled = new();
    private byte[] _control = [];
    private int _pending;
    private bool _writing;
    private bool _closing;
    private Task _pump = Task.CompletedTask;

    /// <summary>We sent our close: a close from the server is then its answer, not a failure.</summary>
    public bool Closing => Volatile.Read(ref _closing);

    /// <summary>Queues one message scheduled at <paramref name="scheduled"/> (a Stopwatch timestamp).</summary>
    public void Send(long scheduled)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }
            _scheduled.Enqueue(scheduled);
            _pending++;
            if (!StartPump())
            {
                return;
            }
        }
        Pump();
    }

    /// <summary>Takes the scheduled times of the next <paramref name="count"/> echoes, in order, into <paramref name="times"/>.</summary>
    public int Take(int count, Span<long> times)
    {
        lock (_gate)
        {
            var taken = 0;
            while (taken < count && taken < times.Length && _scheduled.TryDequeue(out var time))
            {
                times[taken++] = time;
            }
            return taken;
        }
    }

    /// <summary>Queues the scanner's control frames (pongs, a close reply), to go before the next messages.</summary>
    public void SendControl(EchoScanner scanner)
    {
        lock (_gate)
        {
            _control = [.. _control, .. scanner.ControlToSend.Span];
            scanner.ControlSent();
            if (!StartPump())
            {
                return;
            }
        }
        Pump();
    }

    /// <summary>Starts the closing handshake: our close goes after anything queued; no message is sent after it.</summary>
    public void Close()
    {
        var frame = new byte[FrameWriter.MaxCloseFrame];
        Span<byte> key = stackalloc byte[4];
        RandomNumberGenerator.Fill(key);
        var length = FrameWriter.WriteClose(frame, CloseCodes.NormalClosure, "", Masking.KeyFrom(key));
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
            _control = [.. _control, .. frame.AsSpan(0, length)];
            if (!StartPump())
            {
                return;
            }
        }
        Pump();
    }

    /// <summary>Waits for the write in progress, if any.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _pump;
        }
    }

    private bool StartPump()
    {
        if (_writing)
        {
            return false;
        }
        _writing = true;
        return true;
    }

    private void Pump()
    {
        var pump = PumpAsync();
        lock (_gate)
        {
            if (!pump.IsCompleted)
            {
                _pump = pump;
            }
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                byte[] control;
                int messages;
                lock (_gate)
                {
                    control = _control;
                    _control = [];
                    messages = _closing ? 0 : _pending;
                    _pending -= messages;
                    if (control.Length == 0 && messages == 0)
                    {
                        _writing = false;
                        return;
                    }
                }
                if (control.Length > 0)
                {
                    await connection.Stream.WriteAsync(control);
                }
                while (messages > 0)
                {
                    var frames = pool.Slice(ref connection.Cursor, messages, out var taken);
                    connection.Sent += taken;
                    messages -= taken;
                    await connection.Stream.WriteAsync(frames);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            connection.Fail($"a connection broke: {e.Message.TrimEnd('.')}");
            lock (_gate)
            {
                _writing = false;
            }
        }
    }
}
