using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using WssKit.Protocol;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Framing;
using WssKit.Server.Metrics;

namespace WssKit.Server.WebSockets;

/// <summary>
/// One server-side WebSocket on Kestrel's upgraded connection, run by WssKit's own framing engine.
/// <para>
/// Receiving: every read takes all Kestrel has and parses every complete frame in it in one pass, unmasking in
/// place; each message goes to the handler synchronously, straight from the receive buffer when it came in one frame. Sending: frames are queued in
/// a pooled buffer and written with one flush when the pass is over, so a batch of replies costs one write. Between
/// bursts the connection holds no buffer of its own. Keep-alive, idle and close timeouts are driven from outside
/// by <see cref="Tick"/>, one sweep for all connections instead of a timer each.
/// </para>
/// </summary>
internal sealed class WebSocketConnection : IWebSocketSession
{
    // A peer that does not answer our close frame within this time is cut off.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly HttpContext _context;
    private readonly Stream _transport;
    private readonly MessageReader _reader;
    private readonly ConnectionSettings _settings;
    private readonly ServerMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly MessageCompression? _compression;

    // Smaller messages gain nothing from DEFLATE and cost a zlib call each.
    private const int CompressionThreshold = 128;

    // Owned by the receive loop: received bytes not yet consumed are _receive[_start.._end].
    private byte[]? _receive;
    private int _start;
    private int _end;
    private volatile bool _inBatch;
    private byte[]? _lastPing; // made on the first ping: most clients (browsers) never send one
    private int _lastPingLength = -1;
    private int _pingsThisPass;
    private const int PongsPerPass = 32;

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

    public WebSocketConnection(HttpContext context, Stream transport, string? subProtocol, MessageCompression? compression,
        ConnectionSettings settings, ServerMetrics metrics, TimeProvider time)
    {
        _context = context;
        _transport = transport;
        _compression = compression;
        _settings = settings;
        _metrics = metrics;
        _time = time;
        SubProtocol = subProtocol;
        RemoteAddress = context.Connection.RemoteIpAddress;
        _reader = new MessageReader(Role.Server, settings.Limits, compression);
        _lastReceived = _lastMessage = time.GetTimestamp();
    }

    public string? SubProtocol { get; }

    public IPAddress? RemoteAddress { get; }

    /// <summary>Messages and payload bytes each way; read by the metrics, written by this connection only.</summary>
    public long MessagesReceived, BytesReceived, MessagesSent, BytesSent;

    /// <summary>Receives until the connection ends; returns the close code (1006 when it ended without a close frame).</summary>
    public async Task<int> RunAsync(IWebSocketHandler handler)
    {
        try
        {
            while (true)
            {
                if (_receive is null)
                {
                    // Wait for data without holding a buffer (a zero-byte read): an idle connection keeps none.
#pragma warning disable CA2022 // The zero-byte read only waits; its result is meaningless.
                    await _transport.ReadAsync(Memory<byte>.Empty);
#pragma warning restore CA2022
                    _receive = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
                }
                else if (_end == _receive.Length)
                {
                    Compact();
                }
                var read = await _transport.ReadAsync(_receive.AsMemory(_end));
                if (read == 0)
                {
                    return _closeReceived ? _closeCode : CloseCodes.Abnormal;
                }
                _end += read;
                _lastReceived = _time.GetTimestamp();
                var finished = Process(handler);
                // Write what this pass queued, but do not wait for a write that cannot go out: a client that stops
                // reading must not stop us reading it; its replies pile up in the outgoing buffer until the limit
                // (then 1008) instead.
                var flush = FlushAsync();
                if (!flush.IsCompletedSuccessfully)
                {
                    _ = flush.AsTask();
                }
                if (finished)
                {
                    await DrainAsync();
                    return _closeCode;
                }
                if (_start == _end && !_reader.InMessage)
                {
                    ArrayPool<byte>.Shared.Return(_receive);
                    _receive = null;
                    _start = _end = 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return _closeReceived ? _closeCode : CloseCodes.Abnormal;
        }
        finally
        {
            _reader.Dispose(); // and the compression with it
            if (_receive is not null)
            {
                ArrayPool<byte>.Shared.Return(_receive);
                _receive = null;
            }
        }
    }

    // Big enough for a burst of small messages or a good piece of a large one; the pool keeps a few per core.
    private const int ReceiveBufferSize = 16 * 1024;

    /// <summary>Moves the unconsumed bytes (a partial header or control frame, at most 139 bytes) to the front.</summary>
    private void Compact()
    {
        var left = _end - _start;
        _receive.AsSpan(_start, left).CopyTo(_receive);
        _start = 0;
        _end = left;
    }

    public void Send(ReadOnlySpan<byte> payload, bool text) => Queue(text ? Opcode.Text : Opcode.Binary, payload, message: true);

    public void Close(int code, string reason)
    {
        var startFlush = false;
        lock (_sendLock)
        {
            if (_closeSent)
            {
                return;
            }
            _pending.Advance(FrameWriter.WriteClose(_pending.GetSpan(FrameWriter.MaxCloseFrame), code, reason));
            _closeSent = true;
            _closeSentAt = _time.GetTimestamp();
            if (!_closeReceived)
            {
                _closeCode = code;
            }
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

    /// <summary>Cuts the connection at once, without a close frame.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _metrics.ConnectionDropped(reason);
            _context.Abort();
        }
    }

    /// <summary>
    /// The periodic check: ping a quiet peer, drop one that left a ping unanswered or never answered our close, and
    /// close one idle for too long.
    /// </summary>
    public void Tick()
    {
        var now = _time.GetTimestamp();
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

    private bool Process(IWebSocketHandler handler)
    {
        var input = _receive.AsSpan(0, _end);
        _inBatch = true;
        _lastPingLength = -1;
        _pingsThisPass = 0;
        try
        {
            while (true)
            {
                var item = _reader.Read(input[_start..], out var used);
                _start += used;
                switch (item.Kind)
                {
                    case ReadKind.NeedMore:
                        return false;
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
                        // Pongs go out in order with everything else, but a flood is not answered ping for ping:
                        // past a few in one read only the latest is answered, at the end (RFC 6455 §5.5.3 allows it).
                        if (++_pingsThisPass <= PongsPerPass)
                        {
                            Queue(Opcode.Pong, item.Payload, message: false);
                        }
                        else
                        {
                            item.Payload.CopyTo(_lastPing ??= new byte[125]);
                            _lastPingLength = item.Payload.Length;
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
            }
        }
        finally
        {
            if (_lastPingLength >= 0)
            {
                Queue(Opcode.Pong, _lastPing.AsSpan(0, _lastPingLength), message: false);
            }
            _inBatch = false;
        }
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
                var span = _pending.GetSpan((int)FrameWriter.SizeOf(payload.Length, masked: false));
                _pending.Advance(FrameWriter.Write(span, opcode, payload, rsv1: compressed));
                if (message)
                {
                    MessagesSent++;
                    BytesSent += messageLength;
                    _lastMessage = _time.GetTimestamp();
                }
                if (!_inBatch && !_flushing)
                {
                    _flushing = startFlush = true;
                }
            }
        }
        if (overflow)
        {
            _metrics.ConnectionDropped("slow-consumer");
            Close(CloseCodes.PolicyViolation, "the client does not read its messages fast enough");
        }
        else if (startFlush)
        {
            _ = FlushLoopAsync().AsTask();
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
    private async ValueTask FlushLoopAsync()
    {
        try
        {
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
                await _transport.WriteAsync(_writing.WrittenMemory);
                await _transport.FlushAsync();
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
