using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using WssKit.Protocol;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Framing;
using WssKit.Server.Metrics;
using WssKit.Server.Tls.Native;

namespace WssKit.Server.WebSockets;

/// <summary>
/// One server-side WebSocket on Kestrel's upgraded connection, run by WssKit's own framing engine.
/// <para>
/// Receiving: every read takes all the transport has and parses every complete frame in it in one pass, unmasking
/// in place in the transport's own buffer; each message goes to the handler synchronously, without a copy when it
/// came in one frame. Sending: frames are queued in
/// a pooled buffer and written with one flush when the pass is over, so a batch of replies costs one write. Between
/// bursts the connection holds no buffer of its own. Keep-alive, idle and close timeouts are driven from outside
/// by <see cref="Tick"/>, one sweep for all connections instead of a timer each.
/// </para>
/// </summary>
internal sealed class WebSocketConnection : IWebSocketSession, IPlaintextSink
{
    // A peer that does not answer our close frame within this time is cut off.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly Action _abortConnection;
    private readonly IDuplexPipe _transport;
    private readonly PipeWriter _output;
    private readonly MessageReader _reader;
    private readonly ConnectionSettings _settings;
    private readonly ServerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly KeepAlive _clock;
    private readonly MessageCompression? _compression;

    // Smaller messages gain nothing from DEFLATE and cost a zlib call each.
    private const int CompressionThreshold = 128;

    private volatile bool _inBatch;
    private int _batchThread;
    private bool _closeInBatch;
    private PooledBuffer _batchOutput;
    // During a pass with nothing else being written, the receive loop writes its frames straight into the transport's
    // pipe (no copy through a buffer of ours) and flushes once at the end. Frames go one after another into a piece of
    // the pipe's memory that is advanced over once, when it is full or the pass ends: the pipe takes a lock per Advance.
    private bool _writerClaimed;
    private int _claimedBytes;
    private Memory<byte> _claimed;
    private int _claimedUsed;
    // Pings are answered at once up to a budget per keep-alive tick; past it, only the latest is kept and answered
    // at the next tick (RFC 6455 §5.5.3 allows answering only the most recent ping). A flood then costs a few pongs
    // a second, not one per ping, while ordinary pings (a burst of a few) are answered immediately.
    private byte[]? _latestPing; // made on the first ping over the budget: most clients never send a ping at all
    private int _latestPingLength = -1;
    private int _pongBudget = PongsPerTick;
    private const int PongsPerTick = 32;

    // Guarded by _sendLock; _writing belongs to whoever holds _flushing.
    private readonly Lock _sendLock = new();
    private PooledBuffer _pending;
    private PooledBuffer _writing;
    private bool _flushing;

    private volatile bool _closeSent;
    private bool _closeReceived;
    private int _closeCode = CloseCodes.Abnormal;
    private long _closeSentAt;
    private long _lastReceived;
    private long _lastMessage;
    private long _pingSentAt;
    private int _aborted;

    // On the native TLS layer, once the pipe is empty, decrypted bytes come straight from the TLS connection's read
    // pump (OnReceived) instead of through the pipe: no pipe, and no read loop of ours, per connection or per pass.
    private IWebSocketHandler? _handler;
    private TaskCompletionSource<int>? _fedRun;
    private bool _fedEnded;
    private int _released;
    private const int SwitchedToFeed = -1;

    public WebSocketConnection(IDuplexPipe transport, IPAddress? remoteAddress, Action abortConnection, string? subProtocol, MessageCompression? compression,
        ConnectionSettings settings, ServerMetrics metrics, KeepAlive clock)
    {
        _abortConnection = abortConnection;
        _transport = transport;
        _output = transport.Output;
        _compression = compression;
        _settings = settings;
        _metrics = metrics;
        _clock = clock;
        _time = clock.Time;
        SubProtocol = subProtocol;
        RemoteAddress = remoteAddress;
        _reader = new MessageReader(Role.Server, settings.Limits, compression);
        _lastReceived = _lastMessage = _time.GetTimestamp();
    }

    public string? SubProtocol { get; }

    public IPAddress? RemoteAddress { get; }

    /// <summary>Messages and payload bytes each way; read by the metrics, written by this connection only.</summary>
    public long MessagesReceived, BytesReceived, MessagesSent, BytesSent;

    /// <summary>Receives until the connection ends; returns the close code (1006 when it ended without a close frame).</summary>
    public Task<int> RunAsync(IWebSocketHandler handler)
    {
        _handler = handler;
        // Most clients wait for the 101 before they send: then nothing is in the pipe, and it is let go at once.
        return TrySwitchToFeed() ? _fedRun!.Task : ReadPipeThenFeedAsync();
    }

    private async Task<int> ReadPipeThenFeedAsync()
    {
        var code = await ReadPipeAsync(_handler!);
        return code == SwitchedToFeed ? await _fedRun!.Task : code;
    }

    /// <summary>Reads the pipe until the connection ends, or until it is empty and the TLS connection feeds us instead.</summary>
    private async Task<int> ReadPipeAsync(IWebSocketHandler handler)
    {
        var switched = false;
        var input = _transport.Input;
        try
        {
            while (true)
            {
                // The transport holds the bytes until they are consumed; an idle connection holds no buffer of ours.
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    _lastReceived = _clock.Now;
                }
                var finished = Process(buffer, handler, out var consumed);
                input.AdvanceTo(consumed, buffer.End);
                if (finished)
                {
                    await FlushLastPassAsync();
                    return _closeCode;
                }
                FlushPass();
                if (result.IsCompleted)
                {
                    return EndCode;
                }
                if (TrySwitchToFeed())
                {
                    switched = true;
                    return SwitchedToFeed;
                }
                // A cancelled read is Kestrel asking the connection to end (a shutdown): the close frame is on its way
                // and the peer gets until the close grace or the shutdown timeout to answer it, so keep reading.
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return EndCode;
        }
        finally
        {
            if (!switched)
            {
                Release();
            }
        }
    }

    /// <summary>The close code of a connection whose input ended: the peer's, or 1006 when it sent no close frame.</summary>
    private int EndCode => _closeReceived ? _closeCode : CloseCodes.Abnormal;

    /// <summary>On the native TLS layer, with its pipe empty: from now on its read pump hands us what it decrypts.</summary>
    private bool TrySwitchToFeed()
    {
        if (_transport is not NativeTlsConnection tls)
        {
            return false;
        }
        _fedRun ??= new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        return tls.TrySwitchToSink(this);
    }

    int IPlaintextSink.OnReceived(Span<byte> plaintext) =>
        _fedEnded ? plaintext.Length : FedPass(plaintext, inPlace: 0); // after the close handshake, what follows is not read

    // The rest of a large frame: decrypted straight into the reader's message buffer. Never after the close handshake
    // (the reader's buffers may be given back then).
    Memory<byte> IPlaintextSink.InPlaceTarget => _fedEnded ? Memory<byte>.Empty : _reader.InPlaceTarget;

    void IPlaintextSink.OnReceivedInPlace(int count)
    {
        if (!_fedEnded)
        {
            FedPass(default, count);
        }
    }

    /// <summary>
    /// One pass on the TLS connection's read pump, over <paramref name="input"/> or over the <paramref name="inPlace"/>
    /// bytes decrypted into the reader's own buffer; returns the bytes of the input used.
    /// </summary>
    private int FedPass(Span<byte> input, int inPlace)
    {
        try
        {
            _lastReceived = _clock.Now;
            BeginPass();
            var used = 0;
            bool finished;
            try
            {
                if (inPlace > 0)
                {
                    var item = _reader.ReadInPlace(inPlace);
                    finished = item.Kind != ReadKind.NeedMore && Handle(item, _handler!);
                }
                else
                {
                    used = Parse(input, _handler!, out finished);
                }
            }
            finally
            {
                EndPass();
            }
            if (!finished)
            {
                FlushPass();
                return used;
            }
            _fedEnded = true;
            _ = EndFedAfterLastPassAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            EndFed(EndCode);
        }
        return input.Length;
    }

    void IPlaintextSink.OnEnded(Exception? error)
    {
        if (!_fedEnded)
        {
            EndFed(EndCode);
        }
    }

    private async Task EndFedAfterLastPassAsync()
    {
        try
        {
            await FlushLastPassAsync();
        }
        finally
        {
            EndFed(_closeCode);
        }
    }

    /// <summary>
    /// Flushes the pass that ended the connection (it sent the close frame), behind what other threads queued. Nothing
    /// follows it, so on the native TLS layer the close frame waits for close_notify, and both leave in one send.
    /// </summary>
    private async Task FlushLastPassAsync()
    {
        var tls = _transport as NativeTlsConnection;
        tls?.HoldUntilEnd();
        FlushPass();
        await DrainAsync();
        if (tls is not null)
        {
            _output.Complete();
        }
    }

    private void EndFed(int code)
    {
        _fedEnded = true;
        Release();
        _fedRun!.TrySetResult(code);
    }

    /// <summary>Gives the reader's and the pass's buffers back, once, when receiving is over.</summary>
    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _reader.Dispose(); // and the compression with it
            _batchOutput.Release();
        }
    }

    /// <summary>
    /// Writes what the pass queued, but does not wait for a write that cannot go out: a client that stops reading must
    /// not stop us reading it; its replies pile up in the outgoing buffer until the limit (then 1008) instead.
    /// </summary>
    private void FlushPass()
    {
        ValueTask flush;
        if (_writerClaimed)
        {
            CommitClaimed();
            _writerClaimed = false;
            flush = FlushLoopAsync(writerHasData: _claimedBytes > 0);
        }
        else
        {
            flush = FlushAsync();
        }
        if (!flush.IsCompletedSuccessfully)
        {
            _ = flush.AsTask();
        }
    }

    public void Send(ReadOnlySpan<byte> payload, bool text) => Queue(text ? Opcode.Text : Opcode.Binary, payload, message: true);

    public void Close(int code, string reason)
    {
        if (OnReceiveLoop)
        {
            if (!_closeSent)
            {
                LoopCommit(FrameWriter.WriteClose(LoopReserve(FrameWriter.MaxCloseFrame), code, reason));
                MarkCloseSent(code);
                _closeInBatch = true;
            }
            return;
        }
        var startFlush = false;
        lock (_sendLock)
        {
            if (_closeSent)
            {
                return;
            }
            _pending.Advance(FrameWriter.WriteClose(_pending.GetSpan(FrameWriter.MaxCloseFrame), code, reason));
            MarkCloseSent(code);
            if (!_inBatch && !_flushing)
            {
                _flushing = startFlush = true;
            }
        }
        if (startFlush)
        {
            _ = FlushLoopAsync().AsTask();
        }
    }

    /// <summary>Renews the pong budget and answers the latest ping that went over it, if any.</summary>
    private void AnswerLatestPing()
    {
        Volatile.Write(ref _pongBudget, PongsPerTick);
        Span<byte> payload = stackalloc byte[125];
        int length;
        lock (_sendLock)
        {
            length = _latestPingLength;
            if (length < 0)
            {
                return;
            }
            _latestPing.AsSpan(0, length).CopyTo(payload);
            _latestPingLength = -1;
        }
        Queue(Opcode.Pong, payload[..length], message: false);
    }

    private void MarkCloseSent(int code)
    {
        _closeSent = true;
        _closeSentAt = _time.GetTimestamp();
        if (!_closeReceived)
        {
            _closeCode = code;
        }
    }

    /// <summary>
    /// Whether this call runs on the receive loop during a pass: then sends go to a buffer only that loop touches,
    /// without a lock, and join the others once at the end of the pass.
    /// </summary>
    private bool OnReceiveLoop => _inBatch && Environment.CurrentManagedThreadId == _batchThread;

    /// <summary>Cuts the connection at once, without a close frame.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _metrics.ConnectionDropped(reason);
            _abortConnection();
        }
    }

    /// <summary>
    /// The periodic check: ping a quiet peer, drop one that left a ping unanswered or never answered our close, and
    /// close one idle for too long.
    /// </summary>
    public void Tick(long now)
    {
        AnswerLatestPing();
        if (_closeSent)
        {
            if (_time.GetElapsedTime(_closeSentAt, now) > CloseGrace)
            {
                Abort("close-timeout");
            }
            return;
        }
        if (_pingSentAt != 0 && _time.GetElapsedTime(_pingSentAt, now) > _settings.PingTimeout)
        {
            Abort("ping-timeout");
            return;
        }
        if (_settings.IdleTimeout > TimeSpan.Zero && _time.GetElapsedTime(_lastMessage, now) >= _settings.IdleTimeout)
        {
            Close(CloseCodes.GoingAway, "idle timeout");
            return;
        }
        if (_settings.PingInterval > TimeSpan.Zero && _pingSentAt == 0 && _time.GetElapsedTime(_lastReceived, now) >= _settings.PingInterval)
        {
            _pingSentAt = now;
            Span<byte> stamp = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(stamp, now);
            Queue(Opcode.Ping, stamp, message: false);
        }
    }

    // Enough for any frame header (14 bytes) or whole control frame (139 bytes) that straddles two pieces of a read.
    private const int StitchSize = 256;

    /// <summary>
    /// One pass over everything read: each piece of the transport's buffer is parsed where it lies (unmasked in place,
    /// ours until AdvanceTo, handed out without a copy); only a header or control frame cut between two pieces is
    /// copied, into a small stitch buffer on the stack.
    /// </summary>
    private bool Process(ReadOnlySequence<byte> buffer, IWebSocketHandler handler, out SequencePosition consumed)
    {
        Span<byte> stitch = stackalloc byte[StitchSize];
        var remaining = buffer;
        BeginPass();
        try
        {
            while (!remaining.IsEmpty)
            {
                var piece = MemoryMarshal.AsMemory(remaining.First).Span;
                var used = Parse(piece, handler, out var finished);
                if (!finished && used < piece.Length && remaining.Length > piece.Length)
                {
                    remaining = remaining.Slice(used);
                    var length = (int)Math.Min(remaining.Length, StitchSize);
                    remaining.Slice(0, length).CopyTo(stitch);
                    used = Parse(stitch[..length], handler, out finished);
                    if (used == 0)
                    {
                        break;
                    }
                }
                remaining = remaining.Slice(used);
                if (finished)
                {
                    consumed = remaining.Start;
                    return true;
                }
                if (used == 0)
                {
                    break;
                }
            }
            consumed = remaining.Start;
            return false;
        }
        finally
        {
            EndPass();
        }
    }

    private void BeginPass()
    {
        _batchThread = Environment.CurrentManagedThreadId;
        _closeInBatch = false;
        _claimedBytes = 0;
        lock (_sendLock)
        {
            if (!_flushing && _pending.Length == 0)
            {
                _flushing = _writerClaimed = true;
            }
        }
        _inBatch = true;
    }

    private void EndPass()
    {
        _inBatch = false;
        if (!_writerClaimed)
        {
            MergeBatchOutput();
        }
    }

    /// <summary>Reads messages and control frames from <paramref name="input"/> until it needs more; returns the bytes used.</summary>
    private int Parse(Span<byte> input, IWebSocketHandler handler, out bool finished)
    {
        var offset = 0;
        finished = false;
        while (true)
        {
            var item = _reader.Read(input[offset..], out var used);
            offset += used;
            if (item.Kind == ReadKind.NeedMore || (finished = Handle(item, handler)))
            {
                return offset;
            }
        }
    }

    /// <summary>Acts on one message or control frame; returns whether the connection is finished (a close, or a protocol error).</summary>
    private bool Handle(ReadItem item, IWebSocketHandler handler)
    {
        switch (item.Kind)
        {
            case ReadKind.Text:
            case ReadKind.Binary:
                MessagesReceived++;
                BytesReceived += item.Payload.Length;
                _lastMessage = _lastReceived;
                if (!_closeSent)
                {
                    Deliver(handler, item.Payload, item.Kind == ReadKind.Text);
                }
                break;
            case ReadKind.Ping:
                if (Interlocked.Decrement(ref _pongBudget) >= 0)
                {
                    // In order with everything else this pass sends, so a pong precedes a later message's echo.
                    Queue(Opcode.Pong, item.Payload, message: false);
                }
                else
                {
                    lock (_sendLock)
                    {
                        item.Payload.CopyTo(_latestPing ??= new byte[125]);
                        _latestPingLength = item.Payload.Length;
                    }
                }
                break;
            case ReadKind.Pong:
                _pingSentAt = 0;
                break;
            case ReadKind.Close:
                _closeReceived = true;
                _closeCode = item.CloseCode;
                // Answer with the peer's code (1000 when it gave none), as RFC 6455 §5.5.1 suggests.
                Close(item.CloseCode == CloseCodes.NoStatus ? CloseCodes.NormalClosure : item.CloseCode, "");
                return true;
            case ReadKind.Error:
                _metrics.ProtocolError(item.CloseCode);
                Close(item.CloseCode, item.Reason ?? "protocol error");
                _closeCode = item.CloseCode;
                return true;
        }
        return false;
    }

    private void Deliver(IWebSocketHandler handler, ReadOnlySpan<byte> payload, bool text)
    {
        try
        {
            handler.OnMessage(this, payload, text);
        }
        catch (Exception)
        {
            // An endpoint's bug must not take the server down; the client learns it with 1011.
            Close(CloseCodes.InternalError, "internal error");
        }
    }

    private void Queue(Opcode opcode, ReadOnlySpan<byte> payload, bool message)
    {
        if (message && _compression is not null && payload.Length >= CompressionThreshold)
        {
            var compressed = new PooledBuffer();
            try
            {
                _compression.Compress(payload, ref compressed);
                Queue(opcode, compressed.Written, payload.Length, compressed: true);
            }
            finally
            {
                compressed.Release();
            }
            return;
        }
        Queue(opcode, payload, message ? payload.Length : -1, compressed: false);
    }

    /// <summary>Queues one frame; <paramref name="messageLength"/> is the message's size before compression, or -1 for a control frame.</summary>
    private void Queue(Opcode opcode, ReadOnlySpan<byte> payload, int messageLength, bool compressed)
    {
        var message = messageLength >= 0;
        if (OnReceiveLoop)
        {
            if (_closeSent)
            {
                return;
            }
            if (message && _pending.Length + _batchOutput.Length + _claimedBytes >= _settings.MaxOutgoingBuffer)
            {
                SlowConsumer();
                return;
            }
            if (_writerClaimed && payload.Length >= NativeTlsConnection.RecordSize && _output is NativeTlsWriter tls)
            {
                WriteStraight(tls, opcode, payload, compressed);
            }
            else
            {
                LoopCommit(FrameWriter.Write(LoopReserve((int)FrameWriter.SizeOf(payload.Length, masked: false)), opcode, payload, rsv1: compressed));
            }
            Count(messageLength);
            return;
        }
        var startFlush = false;
        var overflow = false;
        lock (_sendLock)
        {
            if (_closeSent)
            {
                return;
            }
            // The limit is on what is already waiting: one message of any allowed size can always be queued.
            overflow = message && _pending.Length >= _settings.MaxOutgoingBuffer;
            if (!overflow)
            {
                Write(ref _pending, opcode, payload, messageLength, compressed);
                if (!_inBatch && !_flushing)
                {
                    _flushing = startFlush = true;
                }
            }
        }
        if (overflow)
        {
            SlowConsumer();
        }
        else if (startFlush)
        {
            _ = FlushLoopAsync().AsTask();
        }
    }

    /// <summary>A large frame written on the receive loop: its payload becomes records straight from where it lies, not copied into the output first.</summary>
    private void WriteStraight(NativeTlsWriter tls, Opcode opcode, ReadOnlySpan<byte> payload, bool compressed)
    {
        Span<byte> header = stackalloc byte[FrameHeader.MaxLength];
        var headerLength = FrameHeader.Write(header, opcode, payload.Length, rsv1: compressed);
        CommitClaimed();
        tls.Write(header[..headerLength], payload);
        _claimedBytes += headerLength + payload.Length;
    }

    private void Write(ref PooledBuffer target, Opcode opcode, ReadOnlySpan<byte> payload, int messageLength, bool compressed)
    {
        var span = target.GetSpan((int)FrameWriter.SizeOf(payload.Length, masked: false));
        target.Advance(FrameWriter.Write(span, opcode, payload, rsv1: compressed));
        Count(messageLength);
    }

    private void Count(int messageLength)
    {
        if (messageLength >= 0)
        {
            MessagesSent++;
            BytesSent += messageLength;
            _lastMessage = _clock.Now;
        }
    }

    /// <summary>Room for a frame written on the receive loop: in the transport's pipe when the loop holds it, else in the pass's buffer.</summary>
    private Span<byte> LoopReserve(int size)
    {
        if (!_writerClaimed)
        {
            return _batchOutput.GetSpan(size);
        }
        if (_claimed.Length - _claimedUsed < size)
        {
            CommitClaimed();
            _claimed = _output.GetMemory(size);
        }
        return _claimed.Span[_claimedUsed..];
    }

    private void LoopCommit(int written)
    {
        if (_writerClaimed)
        {
            _claimedUsed += written;
            _claimedBytes += written;
        }
        else
        {
            _batchOutput.Advance(written);
        }
    }

    /// <summary>Hands the frames written into the claimed piece of the pipe's memory over to the pipe.</summary>
    private void CommitClaimed()
    {
        if (_claimedUsed > 0)
        {
            _output.Advance(_claimedUsed);
        }
        _claimed = default;
        _claimedUsed = 0;
    }

    private void SlowConsumer()
    {
        _metrics.ConnectionDropped("slow-consumer");
        Close(CloseCodes.PolicyViolation, "the client does not read its messages fast enough");
    }

    /// <summary>Moves what the pass queued behind what other threads queued meanwhile (a swap when they queued nothing).</summary>
    private void MergeBatchOutput()
    {
        if (_batchOutput.Length == 0)
        {
            return;
        }
        lock (_sendLock)
        {
            if (_closeSent && !_closeInBatch)
            {
                // Another thread closed the connection during the pass: nothing may follow its close frame.
                _batchOutput.Clear();
                return;
            }
            if (_pending.Length == 0)
            {
                (_pending, _batchOutput) = (_batchOutput, _pending);
            }
            else
            {
                _pending.Append(_batchOutput.Written);
                _batchOutput.Clear();
            }
        }
    }

    /// <summary>Writes what the last pass queued, unless another flush is already doing it.</summary>
    private ValueTask FlushAsync()
    {
        lock (_sendLock)
        {
            if (_flushing || _pending.Length == 0)
            {
                return ValueTask.CompletedTask;
            }
            _flushing = true;
        }
        return FlushLoopAsync();
    }

    /// <summary>Waits (briefly) for a flush started elsewhere, so the last frames leave before the connection ends.</summary>
    private async ValueTask DrainAsync()
    {
        var deadline = _time.GetTimestamp();
        while (Volatile.Read(ref _flushing) && _time.GetElapsedTime(deadline) < CloseGrace)
        {
            await Task.Delay(1);
        }
        await FlushAsync();
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushLoopAsync(bool writerHasData = false)
    {
        try
        {
            if (writerHasData && (await _output.FlushAsync()).IsCompleted)
            {
                throw new IOException("the transport was closed");
            }
            while (true)
            {
                lock (_sendLock)
                {
                    if (_pending.Length == 0)
                    {
                        _flushing = false;
                        // Nothing left to send: hold no buffer while idle.
                        _pending.Release();
                        _writing.Release();
                        return;
                    }
                    (_pending, _writing) = (_writing, _pending);
                }
                var flushed = await _output.WriteAsync(_writing.WrittenMemory);
                if (flushed.IsCompleted)
                {
                    throw new IOException("the transport was closed");
                }
                _writing.Clear();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or ConnectionAbortedException)
        {
            lock (_sendLock)
            {
                _flushing = false;
            }
            Abort("write-failed");
        }
    }
}

/// <summary>The per-connection settings, taken once from the server options.</summary>
internal sealed record ConnectionSettings(ProtocolLimits Limits, TimeSpan PingInterval, TimeSpan PingTimeout, TimeSpan IdleTimeout, long MaxOutgoingBuffer);
