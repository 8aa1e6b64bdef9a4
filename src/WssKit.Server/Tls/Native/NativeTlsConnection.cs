using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using WssKit.Protocol;
using WssKit.Server.Transport;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// One server-side TLS connection run by OpenSSL on the socket itself: OpenSSL reads ciphertext with its own socket
/// BIO, and records are sent from its buffer by a BIO of ours, with no pipe or copy in between. It decrypts into the
/// pipe the HTTP layer reads, and, once a WebSocket has taken the connection over, straight into the WebSocket engine
/// (<see cref="TrySwitchToSink"/>); what they write is encrypted and sent in their own flush
/// (<see cref="NativeTlsWriter"/>). Between bursts the connection holds no buffer: OpenSSL releases its record
/// buffers, the pipe, the inbox and the writer return theirs.
/// <para>
/// A read pump decrypts what arrives once the handshake is done. One lock serialises every OpenSSL call on the
/// connection. A record the socket cannot take at once (its buffer is full) waits in <see cref="_unsent"/>, with
/// every record after it, until one drain sends them in order; the records of one large write wait there too, until
/// its last one, and leave with it in one send.
/// </para>
/// </summary>
internal sealed class NativeTlsConnection : IDuplexPipe, IAsyncDisposable
{
    private static readonly nint SocketMethod = CreateBioMethod();

    private static readonly TimeSpan WriteGrace = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly DirectSocketConnection _connection;
    private readonly Socket _socket;
    private readonly SocketReadiness _readiness;
    private readonly int _descriptor;
    private readonly ServedCertificates _certificates;
    private readonly NativeTlsWriter _output;
    private GCHandle _self;
    private nint _ssl;
    private NativeTlsContext _context;

    // Decrypted bytes go into the pipe until a sink takes them (then the pipe is let go): both set under the lock.
    private Pipe? _decrypted;
    private IPlaintextSink? _sink;
    private PlaintextInbox? _inbox;
    private bool _pumpEnded;

    // Records not yet sent, and the drain sending them (new records queue behind it until it is done). During the
    // handshake every record queues, so that the server's whole flight goes out in one send; so do they once a
    // WebSocket's close handshake is done (HoldUntilEnd).
    private PooledBuffer _unsent;
    private TaskCompletionSource? _drain;
    private bool _queueAll = true;
    private bool _outputEnded;
    // Records held back to leave with the next ones, in one send and one TCP segment instead of two: the TLS 1.3
    // session ticket, when the client's first request came with its Finished (it leaves with the answer; a client that
    // sends nothing first gets it at once), and a finished WebSocket's close frame (it leaves with close_notify).
    private bool _ticketHeld;
    private bool _heldUntilEnd;
    // While a write turns into several records, how many are still to come: they are gathered (in _unsent, up to
    // GatherLimit) and leave with the write's last record in one send, instead of one send per record; beyond the
    // limit, a send with MSG_MORE, so that the kernel still holds them for the rest (a proxy that holds small writes
    // would otherwise hold a large message's short last record).
    private int _recordsToCome;
    private const int GatherLimit = 4 * RecordWithOverhead;

    // OpenSSL's read buffer, allocated for each burst (it is released between bursts): one record's size for small
    // messages, four records' while a connection receives whole records (bulk), which makes a 64 KiB message one read
    // instead of four.
    private const int RecordWithOverhead = 16 * 1024 + 256;
    private const int BulkBurst = 16 * 1024;
    private bool _bulkReads;

    // Whether OpenSSL's last read of the socket took all that had arrived (it got less than it asked for, or nothing):
    // bytes that arrive later wake the read pump's wait. Otherwise the socket is read again without waiting, because
    // the event for the bytes left in it may have come before the wait began (epoll reports arrivals, edge-triggered).
    private bool _socketDrained;
    private bool _retryFlagged;
    // The last read took less than it asked for after epoll had reported the client's close: the end of the stream is
    // still to be read, and no further event will say so. A WebSocket's pump reads it at once; the HTTP layer's does not
    // (Kestrel, handed the end of its input with a request, may drop the request, or the frames that came with it),
    // and the WebSocket that takes the connection over wakes it.
    private bool _endPending;
    // The readable events seen when the read that found the socket empty began (NotKnownEmpty when the last read
    // filled its buffer, or found the end of the stream): while no event has come since, the socket is still empty,
    // and OpenSSL's next read is answered without asking it. The handshake's read for the client's next flight, right
    // after its ClientHello, then costs no recv that finds nothing.
    private long _emptyAtEvent = NotKnownEmpty;
    private const long NotKnownEmpty = -1;
    // The socket's read found the end of the stream. OpenSSL asks (BIO_eof) before it takes an end without close_notify
    // for a clean one (SSL_OP_IGNORE_UNEXPECTED_EOF); else the end reads as an error, and a pipe completed with an error
    // loses what it still holds (the client's last message, when it came with the end).
    private bool _endOfStream;

    private Task? _reading;

    public NativeTlsConnection(DirectSocketConnection connection, NativeTlsContext defaultContext, ServedCertificates certificates)
    {
        _connection = connection;
        _socket = connection.Socket;
        _readiness = connection.Readiness;
        _certificates = certificates;
        _context = defaultContext;
        _decrypted = new Pipe(DecryptedOptions);
        _output = new NativeTlsWriter(this);
        _ssl = LibSsl.SslNew(defaultContext);
        if (_ssl == 0)
        {
            throw new InvalidOperationException($"OpenSSL could not create a connection: {LibSsl.TakeError()}");
        }
        // OpenSSL uses the descriptor until the connection is freed; the socket is closed only after that (an abort
        // shuts it down but keeps it open), so that its number cannot be reused by another connection meanwhile.
        // Every send and receive on it passes MSG_DONTWAIT (Libc): the socket's own mode is left as it was accepted.
        _descriptor = (int)_socket.SafeHandle.DangerousGetHandle();
        _self = GCHandle.Alloc(this);
        var bio = LibSsl.BioNew(SocketMethod);
        LibSsl.BioSetData(bio, GCHandle.ToIntPtr(_self));
        LibSsl.BioSetInit(bio, 1);
        LibSsl.SslSetBio(_ssl, bio, bio); // the SSL owns the BIO
        LibSsl.SslSetAcceptState(_ssl);
    }

    /// <summary>A TLS record carries up to 16 KiB of plaintext.</summary>
    public const int RecordSize = 16 * 1024;

    // Segments of a record's size let one SSL_read fill one segment with a whole record. The pipe returns its segments
    // when empty, so an idle connection holds none. Inline schedulers: a decrypted read reaches the WebSocket engine,
    // and its replies the encryption, on the socket's own thread, as with Kestrel's inline socket scheduling.

    private static readonly PipeOptions DecryptedOptions = new(MemoryPool<byte>.Shared, PipeScheduler.Inline, PipeScheduler.Inline,
        pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: RecordSize, useSynchronizationContext: false);

    /// <summary>The decrypted input, for the application.</summary>
    public PipeReader Input => Volatile.Read(ref _decrypted)?.Reader
        ?? throw new InvalidOperationException("the decrypted input goes straight to the WebSocket engine; it has no pipe");

    /// <summary>The plaintext output, for the application.</summary>
    public PipeWriter Output => _output;

    /// <summary>The negotiated session, once the handshake is done.</summary>
    public NativeTlsSession? Session { get; private set; }

    /// <summary>The host name the client asked for (SNI), if any.</summary>
    public string? ServerName { get; private set; }

    /// <summary>Runs the handshake; returns null when it succeeded, else OpenSSL's reason.</summary>
    public async Task<string?> HandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int status;
            string? problem = null;
            var seen = _readiness.Readable.Events;
            bool ticketHeld;
            lock (_lock)
            {
                LibSsl.ErrorClear();
                var result = LibSsl.SslDoHandshake(_ssl);
                status = result == 1 ? 0 : LibSsl.SslGetError(_ssl, result);
                if (status is not (0 or LibSsl.ErrorWantRead))
                {
                    // The end of the stream reads as a clean end (the context ignores a missing close_notify) or as a failed read.
                    problem = LibSsl.TakeError() ?? (status is LibSsl.ErrorSyscall or LibSsl.ErrorZeroReturn
                        ? "unexpected eof: the client closed the connection during the handshake"
                        : $"handshake error {status}");
                }
                // Only TLS 1.3's flight after the client's Finished is a ticket alone; TLS 1.2's holds the server's Finished.
                _ticketHeld = ticketHeld = status == 0 && LibSsl.SslHasPending(_ssl) == 1 && LibSsl.SslVersion(_ssl) == LibSsl.Tls13Version;
            }
            // The server's flight, or the alert that explains a failure, goes out before anything else happens.
            if (!ticketHeld)
            {
                await SendQueuedAsync().WaitAsync(cancellationToken);
            }
            if (status == 0)
            {
                _queueAll = false;
                Session = NativeTlsSession.Of(_ssl);
                return null;
            }
            if (problem is not null)
            {
                return problem;
            }
            await _readiness.Readable.WaitAsync(seen, cancellationToken);
        }
    }

    /// <summary>Starts decrypting in the background; the application then uses <see cref="Input"/> and <see cref="Output"/>.</summary>
    public void Start()
    {
        // Without the caller's execution context (Kestrel's logging scope for the connection): the pump runs as long as
        // the connection, and would keep it reachable for hours.
        using (ExecutionContext.SuppressFlow())
        {
            _reading = ReadPumpAsync();
        }
    }

    /// <summary>
    /// For the reader of <see cref="Input"/>, between its reads: from now on decrypted bytes go straight to
    /// <paramref name="sink"/>, on the read pump, and the pipe is completed and let go. Only when the pipe holds
    /// nothing and the read pump has nothing decrypted that is not in it, so that no byte can pass another; otherwise
    /// nothing changes and it returns false: read the pipe, and try again.
    /// </summary>
    public bool TrySwitchToSink(IPlaintextSink sink)
    {
        lock (_lock)
        {
            // The pump writes into the pipe only under this lock; what it wrote but has not flushed yet is counted here.
            if (_decrypted is not { } pipe || _sink is not null || _pumpEnded || _reading is null || pipe.Writer.UnflushedBytes > 0)
            {
                return false;
            }
            if (pipe.Reader.TryRead(out var result))
            {
                pipe.Reader.AdvanceTo(result.Buffer.Start);
                if (!result.Buffer.IsEmpty || result.IsCompleted || result.IsCanceled)
                {
                    return false;
                }
            }
            _sink = sink;
            _inbox = new PlaintextInbox(sink);
            pipe.Reader.Complete();
        }
        // The pump, waiting for the client (an idle WebSocket may wait for hours), is woken to let go of the pipe now.
        _readiness.Readable.Signal();
        return true;
    }

    // One method for the pump's life on a WebSocket (hours): one async state machine, which keeps no pipe.
    private async Task ReadPumpAsync()
    {
        Exception? error = null;
        try
        {
            if (await ReadIntoPipeAsync(_decrypted!.Writer))
            {
                TakePipe()!.Writer.Complete();
                // From here decrypted bytes go into the inbox (or the sink's own buffer), and each burst to the sink,
                // outside the lock.
                var inbox = _inbox!;
                while (true)
                {
                    var seen = _readiness.Readable.Events;
                    var status = DecryptAndAnswer(inbox, intoPipe: false, out var problem);
                    // What arrived before an end or a failure (a close frame, say) is delivered first.
                    inbox.Deliver();
                    if (status == LibSsl.ErrorZeroReturn)
                    {
                        break;
                    }
                    if (status == InboxFull)
                    {
                        continue;
                    }
                    if (status != LibSsl.ErrorWantRead)
                    {
                        throw new IOException($"TLS error: {problem}");
                    }
                    if (!_socketDrained || _endPending)
                    {
                        continue;
                    }
                    await _readiness.Readable.WaitAsync(seen);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            error = e;
        }
        IPlaintextSink? ended;
        lock (_lock)
        {
            _pumpEnded = true;
            ended = _sink;
            _inbox?.Release();
        }
        if (Volatile.Read(ref _decrypted) is { } pipe)
        {
            // The pipe stays for its reader, which reads what it still holds before its end: the client's last message
            // and its close can arrive together, before the WebSocket could take the connection over from the pipe.
            // A sink that took over after the last flush already has all the pipe held.
            await pipe.Writer.CompleteAsync(ended is null ? error : null);
        }
        ended?.OnEnded(error);
        _connection.ReportClosed();
    }

    private Pipe? TakePipe()
    {
        lock (_lock)
        {
            var pipe = _decrypted;
            _decrypted = null;
            return pipe;
        }
    }

    /// <summary>Decrypts into the pipe; returns true when a sink has taken over, false when the client's stream ended.</summary>
    private async Task<bool> ReadIntoPipeAsync(PipeWriter decrypted)
    {
        while (true)
        {
            var seen = _readiness.Readable.Events;
            var status = DecryptAndAnswer(decrypted, intoPipe: true, out var problem);
            if (status == SinkTookOver)
            {
                return true;
            }
            if (status == LibSsl.ErrorZeroReturn)
            {
                await decrypted.FlushAsync();
                return false; // close_notify, or the end of the stream: the client has said all it will say
            }
            if (status != LibSsl.ErrorWantRead)
            {
                throw new IOException($"TLS error: {problem}");
            }
            var flushed = await decrypted.FlushAsync();
            if (flushed.IsCompleted)
            {
                // The reader let go of the pipe: for a sink (seen at the top), or because the connection ends.
                if (Volatile.Read(ref _sink) is null)
                {
                    return false;
                }
                continue;
            }
            if (!_socketDrained)
            {
                continue;
            }
            await _readiness.Readable.WaitAsync(seen);
        }
    }

    // Decrypt's answer when the target has no room left: deliver what it holds, then decrypt the rest.
    private const int InboxFull = -1;
    // DecryptAndAnswer's, into the pipe, when a sink has taken over: nothing was decrypted.
    private const int SinkTookOver = -2;

    /// <summary>
    /// Decrypts what has arrived under the lock, then sends what OpenSSL answered meanwhile (an alert, a key update)
    /// behind what the application wrote. Into the pipe only while no sink has taken over: checked under the same
    /// lock, so that no byte goes into a pipe its reader has let go of.
    /// </summary>
    private int DecryptAndAnswer(IBufferWriter<byte> target, bool intoPipe, out string? problem)
    {
        int status;
        bool queued;
        lock (_lock)
        {
            if (intoPipe && _sink is not null)
            {
                problem = null;
                return SinkTookOver;
            }
            status = Decrypt(target, out problem);
            queued = _unsent.Length > 0 && !_ticketHeld;
        }
        if (queued)
        {
            _ = SendQueuedAsync();
        }
        return status;
    }

    /// <summary>Decrypts every whole record available into <paramref name="decrypted"/>; returns why it stopped.</summary>
    private unsafe int Decrypt(IBufferWriter<byte> decrypted, out string? problem)
    {
        // OpenSSL's error queue must be empty before a call whose failure is examined; it only fills on failures,
        // which end the connection, so once per pass is enough.
        LibSsl.ClearErrors();
        var burst = 0;
        while (true)
        {
            var span = decrypted.GetSpan();
            if (span.IsEmpty)
            {
                problem = null;
                return InboxFull;
            }
            int count;
            fixed (byte* target = span)
            {
                count = LibSsl.SslRead(_ssl, target, span.Length);
            }
            if (count > 0)
            {
                decrypted.Advance(count);
                burst += count;
                if (LibSsl.SslHasPending(_ssl) == 1)
                {
                    continue;
                }
                if (burst >= BulkBurst != _bulkReads)
                {
                    _bulkReads = !_bulkReads;
                    LibSsl.SslSetReadBufferLength(_ssl, (nuint)(_bulkReads ? 4 * RecordWithOverhead : RecordWithOverhead));
                }
                // OpenSSL holds nothing more: what it read goes to the application before the socket is read again
                // (at once when the last read left bytes in the socket; otherwise asking now would cost a read that
                // finds it empty, and bytes that arrive after that read wake the wait).
                problem = null;
                return LibSsl.ErrorWantRead;
            }
            var status = LibSsl.SslGetError(_ssl, count);
            problem = status switch
            {
                LibSsl.ErrorWantRead or LibSsl.ErrorZeroReturn => null,
                LibSsl.ErrorSyscall => LibSsl.TakeError() ?? "connection reset",
                _ => LibSsl.TakeError() ?? $"read error {status}",
            };
            return status;
        }
    }

    /// <summary>Whether a send is waiting for the socket to take more.</summary>
    public bool IsSending => Volatile.Read(ref _drain) is not null;

    /// <summary>Whether records could not be made or sent: the connection is broken.</summary>
    public bool OutputFailed { get; private set; }

    /// <summary>
    /// Turns plaintext into records, sent at once or queued; for the writer. <paramref name="moreFollows"/>: the writer
    /// encrypts more at once after this, so even the last record waits to leave with what follows.
    /// </summary>
    public unsafe void Encrypt(ReadOnlySpan<byte> plaintext, bool moreFollows = false)
    {
        lock (_lock)
        {
            if (OutputFailed || _outputEnded)
            {
                return;
            }
            LibSsl.ClearErrors();
            _ticketHeld = false; // it leaves with this write, in its flush
            int written;
            _recordsToCome = (plaintext.Length - 1) / RecordSize + (moreFollows ? 1 : 0);
            if (_recordsToCome > 0)
            {
                // Room for the records to gather at once, rather than growing (and copying) one record at a time.
                _unsent.GetSpan(Math.Min(_recordsToCome * RecordWithOverhead, GatherLimit));
            }
            fixed (byte* source = plaintext)
            {
                written = LibSsl.SslWrite(_ssl, source, plaintext.Length);
            }
            _recordsToCome = 0;
            if (written != plaintext.Length)
            {
                // The BIO reported a reset (or OpenSSL failed): nothing more can be sent.
                LibSsl.ClearErrors();
                OutputFailed = true;
            }
        }
    }

    /// <summary>
    /// For a WebSocket whose close handshake is done: what it still writes (its close frame) waits, and leaves with
    /// close_notify (<see cref="EndOutput"/>) in one send.
    /// </summary>
    public void HoldUntilEnd()
    {
        lock (_lock)
        {
            _queueAll = _heldUntilEnd = true;
        }
    }

    /// <summary>Sends close_notify after the application's last record; for the writer.</summary>
    public void EndOutput()
    {
        lock (_lock)
        {
            if (_outputEnded || OutputFailed)
            {
                return;
            }
            _outputEnded = true;
            LibSsl.ClearErrors();
            LibSsl.SslShutdown(_ssl); // close_notify; the client's answer is not waited for
            LibSsl.ClearErrors(); // what it may leave must not mislead a later call's error check
        }
        _ = SendQueuedAsync();
    }

    /// <summary>Ends the connection (the socket is shut down; it stays open until the connection is disposed).</summary>
    public void Abort() => _connection.Abort();

    /// <summary>
    /// Completes once every queued record is sent: at once when none is queued, else when the drain that sends them
    /// (started here, or already running) is done. It faults when the socket fails.
    /// </summary>
    public Task SendQueuedAsync()
    {
        TaskCompletionSource drain;
        lock (_lock)
        {
            if (_drain is not null)
            {
                return _drain.Task;
            }
            if (_unsent.Length == 0)
            {
                _unsent.Release(); // room reserved for records that all left at once
                return Task.CompletedTask;
            }
            if (_heldUntilEnd && !_outputEnded)
            {
                return Task.CompletedTask;
            }
            // Most often the socket takes it all at once (the handshake's flight): then nothing waits, and the socket
            // never needs .NET's send machinery (which it would keep for its whole life).
            var sent = SendNow(_unsent.WrittenMemory);
            if (sent < 0 || sent == _unsent.Length)
            {
                _unsent.Release();
                OutputFailed |= sent < 0;
                return sent < 0 ? Task.FromException(new IOException("TLS connection: the client reset the connection")) : Task.CompletedTask;
            }
            _unsent.Consume(sent);
            _drain = drain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _ = DrainAsync(drain);
        return drain.Task;
    }

    private async Task DrainAsync(TaskCompletionSource drain)
    {
        try
        {
            while (true)
            {
                PooledBuffer batch;
                lock (_lock)
                {
                    batch = _unsent;
                    _unsent = default;
                    if (batch.Length == 0)
                    {
                        _drain = null;
                        break;
                    }
                }
                try
                {
                    for (var sent = 0; sent < batch.Length;)
                    {
                        var seen = _readiness.Writable.Events;
                        var now = SendNow(batch.WrittenMemory[sent..]);
                        if (now < 0)
                        {
                            throw new IOException("the client reset the connection");
                        }
                        if (now == 0)
                        {
                            await _readiness.Writable.WaitAsync(seen);
                        }
                        sent += now;
                    }
                }
                finally
                {
                    batch.Release();
                }
            }
            drain.SetResult();
        }
        catch (IOException e)
        {
            lock (_lock)
            {
                OutputFailed = true;
                _unsent.Release();
                _drain = null;
            }
            drain.SetException(new IOException($"TLS connection: {e.Message}", e));
            // Reported to whoever awaits it, and recorded in OutputFailed for everyone: not also as unobserved when
            // only fire-and-forget sends (an alert, close_notify) were waiting for it.
            _ = drain.Task.Exception;
        }
    }

    private unsafe int SendNow(ReadOnlyMemory<byte> bytes)
    {
        fixed (byte* data = bytes.Span)
        {
            return Libc.SendNow(_descriptor, data, bytes.Length);
        }
    }

    /// <summary>Sends what the application wrote last and close_notify, ends the read pump, then frees the OpenSSL connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _decrypted) is { } pipe)
        {
            await pipe.Reader.CompleteAsync();
        }
        _output.Complete();
        // What the application wrote last (its close frame) still goes out, unless the client has stopped reading:
        // then the connection is not held open for it.
        var sending = SendQueuedAsync();
        try
        {
            await sending.WaitAsync(WriteGrace);
        }
        catch (TimeoutException)
        {
            Abort();
        }
        catch (IOException)
        {
            // The client has gone.
        }
        // The end of the connection: the read pump, waiting for the client, sees it too.
        _connection.ShutDown();
        if (_reading is not null)
        {
            await _reading;
        }
        lock (_lock)
        {
            LibSsl.SslFree(_ssl);
            _ssl = 0;
            _unsent.Release();
        }
        _self.Free();
    }

    /// <summary>SNI: switches the connection to the context of the certificate for the name the client asked for.</summary>
    [UnmanagedCallersOnly]
    internal static unsafe int OnServerName(nint ssl, int* alert, nint argument)
    {
        try
        {
            var connection = From(LibSsl.SslGetWriteBio(ssl));
            var name = LibSsl.SslGetServerName(ssl, 0);
            connection.ServerName = name == 0 ? null : Marshal.PtrToStringUTF8(name);
            // A site whose certificate OpenSSL could not take never gets here: the layer then serves every site with SslStream.
            var context = connection._certificates.NativeFor(connection.ServerName) ?? connection._context;
            if (!ReferenceEquals(context, connection._context))
            {
                context.AttachTo(ssl);
                connection._context = context;
            }
            return LibSsl.ServerNameOk;
        }
        catch (Exception)
        {
            return 2; // SSL_TLSEXT_ERR_ALERT_FATAL: an exception must not cross into OpenSSL
        }
    }

    private static NativeTlsConnection From(nint bio) => (NativeTlsConnection)GCHandle.FromIntPtr(LibSsl.BioGetData(bio)).Target!;

    /// <summary>OpenSSL's output, one record: see <see cref="SendRecord"/>.</summary>
    [UnmanagedCallersOnly]
    private static unsafe int BioSend(nint bio, byte* data, int length)
    {
        try
        {
            return From(bio).SendRecord(new ReadOnlySpan<byte>(data, length)) ? length : -1; // -1: OpenSSL reports a failed write
        }
        catch (Exception)
        {
            return -1; // an exception must not cross into OpenSSL
        }
    }

    /// <summary>
    /// Sends a record from OpenSSL's buffer, in one send with what is queued before it, unless more records of the same
    /// write follow (it is gathered with them, up to <see cref="GatherLimit"/>), a drain is sending, or everything is
    /// held. What the socket does not take is queued, and reported as written: a drain
    /// (<see cref="SendQueuedAsync"/>) sends it, without OpenSSL retrying. False when the client reset the connection.
    /// </summary>
    private bool SendRecord(ReadOnlySpan<byte> record)
    {
        // Never MSG_MORE on a write's last record, unless the writer encrypts more at once: records beyond the count
        // (a smaller negotiated fragment length, a key update) only make the count reach zero earlier.
        var more = _recordsToCome > 0;
        if (more)
        {
            _recordsToCome--;
        }
        if (_queueAll || _drain is not null || (more && _unsent.Length + record.Length <= GatherLimit))
        {
            _unsent.Append(record);
            return true;
        }
        var sent = Libc.SendNow(_descriptor, _unsent.Written, record, more);
        if (sent < 0)
        {
            return false;
        }
        var queued = _unsent.Length;
        if (sent < queued)
        {
            _unsent.Consume(sent);
            _unsent.Append(record);
        }
        else
        {
            _unsent.Release();
            if (sent - queued < record.Length)
            {
                _unsent.Append(record[(sent - queued)..]);
            }
        }
        return true;
    }

    /// <summary>
    /// OpenSSL's input, read from the socket without waiting; notes whether the read left anything behind. A socket
    /// found drained is not asked again until an event says something arrived (epoll reports every arrival after it).
    /// </summary>
    [UnmanagedCallersOnly]
    private static unsafe int BioRead(nint bio, byte* buffer, int length)
    {
        var connection = From(bio);
        var events = connection._readiness.Readable.Events;
        var received = events == connection._emptyAtEvent ? Libc.NothingYet : Libc.ReceiveNow(connection._descriptor, buffer, length);
        connection._endPending = received > 0 && received < length && connection._readiness.PeerClosed;
        if (received == Libc.NothingYet)
        {
            connection._socketDrained = true;
            connection._emptyAtEvent = events;
            connection._retryFlagged = true;
            LibSsl.BioSetFlags(bio, LibSsl.BioFlagsRetryRead); // OpenSSL: SSL_ERROR_WANT_READ
            return -1;
        }
        if (connection._retryFlagged)
        {
            connection._retryFlagged = false;
            LibSsl.BioClearFlags(bio, LibSsl.BioFlagsRetryRead); // else the end of the stream would read as "try again"
        }
        connection._endOfStream = received == 0;
        connection._socketDrained = received < length;
        connection._emptyAtEvent = received > 0 && received < length && !connection._endPending ? events : NotKnownEmpty;
        return received;
    }

    [UnmanagedCallersOnly]
    private static long BioCtrl(nint bio, int command, long larg, nint parg) => command switch
    {
        LibSsl.BioCtrlFlush => 1,
        LibSsl.BioCtrlEof => From(bio)._endOfStream ? 1 : 0,
        _ => 0,
    };

    private static unsafe nint CreateBioMethod()
    {
        var method = LibSsl.BioMethodNew(LibSsl.BioGetNewIndex() | LibSsl.BioTypeSourceSink, "wsskit-socket");
        LibSsl.BioMethodSetWrite(method, &BioSend);
        LibSsl.BioMethodSetRead(method, &BioRead);
        LibSsl.BioMethodSetCtrl(method, &BioCtrl);
        return method;
    }
}
