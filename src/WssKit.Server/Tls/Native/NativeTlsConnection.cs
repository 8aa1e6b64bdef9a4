using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using WssKit.Protocol;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// One server-side TLS connection run by OpenSSL over Kestrel's transport pipes. OpenSSL reads ciphertext straight
/// from the transport's input buffer and writes records straight into its output buffer, through a BIO of ours
/// (no memory BIO, no copy in between), and decrypts into the pipe the HTTP layer and the WebSocket engine read.
/// Between bursts the connection holds no buffer: OpenSSL releases its record buffers and the pipes return theirs.
/// <para>
/// Two pumps run once the handshake is done: the read pump decrypts what arrives, the write pump encrypts what the
/// application writes and flushes once per pass. One lock serialises every OpenSSL call on the connection; bytes
/// OpenSSL writes while the read pump holds it (alerts) are handed to the write pump, the only one that flushes.
/// </para>
/// </summary>
internal sealed class NativeTlsConnection : IDuplexPipe, IAsyncDisposable
{
    private static readonly nint BioMethod = CreateBioMethod();

    private static readonly TimeSpan WriteGrace = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly IDuplexPipe _transport;
    private readonly ServedCertificates _certificates;
    private readonly Pipe _decrypted;
    private readonly Pipe _plaintextOut;
    private GCHandle _self;
    private nint _ssl;
    private NativeTlsContext _context;

    // The ciphertext OpenSSL may read now (its BIO read takes from the front), and where its output goes.
    private ReadOnlySequence<byte> _cipherIn;
    private bool _outputToSide;
    private PooledBuffer _side;
    private int _unflushed;

    private Task? _reading;
    private Task? _writing;

    public NativeTlsConnection(IDuplexPipe transport, NativeTlsContext defaultContext, ServedCertificates certificates)
    {
        _transport = transport;
        _certificates = certificates;
        _context = defaultContext;
        _decrypted = new Pipe(DecryptedOptions);
        _plaintextOut = new Pipe(PlaintextOptions);
        _ssl = LibSsl.SslNew(defaultContext);
        if (_ssl == 0)
        {
            throw new InvalidOperationException($"OpenSSL could not create a connection: {LibSsl.TakeError()}");
        }
        _self = GCHandle.Alloc(this);
        var bio = LibSsl.BioNew(BioMethod);
        LibSsl.BioSetData(bio, GCHandle.ToIntPtr(_self));
        LibSsl.BioSetInit(bio, 1);
        LibSsl.SslSetBio(_ssl, bio, bio); // the SSL owns the BIO
        LibSsl.SslSetAcceptState(_ssl);
    }

    // A TLS record carries up to 16 KiB: segments of that size let one SSL_read fill one segment with a whole record
    // and one SSL_write turn a segment into one full record (Kestrel's 4 KiB blocks would make four records of it).
    // The pipes return their segments when empty, so an idle connection holds none. Inline schedulers: a decrypted
    // read reaches the WebSocket engine, and its replies the encryption, on the socket's own thread, as with
    // Kestrel's inline socket scheduling. The output pipe pauses its writer at 64 KiB so that a peer that stops
    // reading fills the engine's bounded outgoing buffer, not this pipe.
    private const int RecordSize = 16 * 1024;

    private static readonly PipeOptions DecryptedOptions = new(MemoryPool<byte>.Shared, PipeScheduler.Inline, PipeScheduler.Inline,
        pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: RecordSize, useSynchronizationContext: false);

    private static readonly PipeOptions PlaintextOptions = new(MemoryPool<byte>.Shared, PipeScheduler.Inline, PipeScheduler.Inline,
        pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, minimumSegmentSize: RecordSize, useSynchronizationContext: false);

    /// <summary>The decrypted input, for the application.</summary>
    public PipeReader Input => _decrypted.Reader;

    /// <summary>The plaintext output, for the application.</summary>
    public PipeWriter Output => _plaintextOut.Writer;

    /// <summary>The negotiated session, once the handshake is done.</summary>
    public NativeTlsSession? Session { get; private set; }

    /// <summary>The host name the client asked for (SNI), if any.</summary>
    public string? ServerName { get; private set; }

    /// <summary>Runs the handshake; returns null when it succeeded, else OpenSSL's reason.</summary>
    public async Task<string?> HandshakeAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            int status;
            string? problem = null;
            SequencePosition consumed;
            lock (_lock)
            {
                _cipherIn = buffer;
                LibSsl.ErrorClear();
                var result = LibSsl.SslDoHandshake(_ssl);
                status = result == 1 ? 0 : LibSsl.SslGetError(_ssl, result);
                if (status is not (0 or LibSsl.ErrorWantRead))
                {
                    problem = LibSsl.TakeError() ?? (status == LibSsl.ErrorSyscall ? "unexpected eof" : $"handshake error {status}");
                }
                consumed = _cipherIn.Start;
                _cipherIn = default;
            }
            input.AdvanceTo(consumed, status == LibSsl.ErrorWantRead ? buffer.End : consumed);
            // The server's flight, or the alert that explains a failure, goes out before anything else happens.
            if (_unflushed > 0)
            {
                _unflushed = 0;
                await _transport.Output.FlushAsync(cancellationToken);
            }
            if (status == 0)
            {
                Session = NativeTlsSession.Of(_ssl);
                return null;
            }
            if (problem is not null)
            {
                return problem;
            }
            if (read.IsCompleted)
            {
                return "unexpected eof: the client closed the connection during the handshake";
            }
        }
    }

    /// <summary>Starts decrypting and encrypting in the background; the application then uses <see cref="Input"/> and <see cref="Output"/>.</summary>
    public void Start()
    {
        _reading = ReadPumpAsync();
        _writing = WritePumpAsync();
    }

    private async Task ReadPumpAsync()
    {
        var input = _transport.Input;
        var decrypted = _decrypted.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync();
                var buffer = read.Buffer;
                int status;
                string? problem;
                SequencePosition consumed;
                bool alert;
                lock (_lock)
                {
                    _cipherIn = buffer;
                    _outputToSide = true;
                    status = Decrypt(decrypted, out problem);
                    consumed = _cipherIn.Start;
                    _cipherIn = default;
                    _outputToSide = false;
                    alert = _side.Length > 0;
                }
                input.AdvanceTo(consumed, status == LibSsl.ErrorWantRead ? buffer.End : consumed);
                if (alert)
                {
                    _plaintextOut.Reader.CancelPendingRead(); // the write pump sends it
                }
                if (status == LibSsl.ErrorZeroReturn)
                {
                    await decrypted.FlushAsync();
                    break; // close_notify: the client has said all it will say
                }
                if (status != LibSsl.ErrorWantRead)
                {
                    error = new IOException($"TLS error: {problem}");
                    break;
                }
                var flushed = await decrypted.FlushAsync();
                if (flushed.IsCompleted || read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            error = e;
        }
        await decrypted.CompleteAsync(error);
    }

    /// <summary>Decrypts every whole record available into <paramref name="decrypted"/>; returns why it stopped.</summary>
    private unsafe int Decrypt(PipeWriter decrypted, out string? problem)
    {
        // OpenSSL's error queue must be empty before a call whose failure is examined; it only fills on failures,
        // which end the connection, so once per pass is enough (clearing it costs a thread-local lookup).
        LibSsl.ErrorClear();
        while (true)
        {
            var span = decrypted.GetSpan();
            int count;
            fixed (byte* target = span)
            {
                count = LibSsl.SslRead(_ssl, target, span.Length);
            }
            if (count > 0)
            {
                decrypted.Advance(count);
                continue;
            }
            var status = LibSsl.SslGetError(_ssl, count);
            problem = status is LibSsl.ErrorWantRead or LibSsl.ErrorZeroReturn ? null : LibSsl.TakeError() ?? $"read error {status}";
            return status;
        }
    }

    private async Task WritePumpAsync()
    {
        var plaintext = _plaintextOut.Reader;
        var output = _transport.Output;
        Exception? error = null;
        try
        {
            while (true)
            {
                var read = await plaintext.ReadAsync();
                var buffer = read.Buffer;
                string? problem = null;
                ValueTask<FlushResult> flush = default;
                var flushing = false;
                lock (_lock)
                {
                    if (_side.Length > 0)
                    {
                        output.Write(_side.Written);
                        _unflushed += _side.Length;
                        _side.Release();
                    }
                    LibSsl.ErrorClear();
                    foreach (var segment in buffer)
                    {
                        if (!Encrypt(segment.Span, out problem))
                        {
                            break;
                        }
                    }
                    if (read.IsCompleted && problem is null)
                    {
                        LibSsl.SslShutdown(_ssl); // close_notify; the client's answer is not waited for
                        LibSsl.ErrorClear(); // what it may leave must not mislead a later call's error check
                    }
                    if (_unflushed > 0)
                    {
                        _unflushed = 0;
                        flushing = true;
                        flush = output.FlushAsync();
                    }
                }
                plaintext.AdvanceTo(buffer.End);
                if (problem is not null)
                {
                    error = new IOException($"TLS error: {problem}");
                    break;
                }
                if (flushing && (await flush) is { IsCompleted: true } or { IsCanceled: true })
                {
                    break;
                }
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            error = e;
        }
        await plaintext.CompleteAsync(error);
    }

    private unsafe bool Encrypt(ReadOnlySpan<byte> plaintext, out string? problem)
    {
        problem = null;
        if (plaintext.IsEmpty)
        {
            return true;
        }
        int written;
        fixed (byte* source = plaintext)
        {
            written = LibSsl.SslWrite(_ssl, source, plaintext.Length);
        }
        if (written == plaintext.Length)
        {
            return true;
        }
        problem = LibSsl.TakeError() ?? $"write error {LibSsl.SslGetError(_ssl, written)}";
        return false;
    }

    /// <summary>Ends both pumps once the application is done, then frees the OpenSSL connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _decrypted.Reader.CompleteAsync();
        await _plaintextOut.Writer.CompleteAsync();
        if (_reading is not null)
        {
            _transport.Input.CancelPendingRead();
            await _reading;
        }
        if (_writing is not null)
        {
            // What the application wrote last (its close frame) still goes out, unless the client has stopped
            // reading: then the connection is not held open for it.
            try
            {
                await _writing.WaitAsync(WriteGrace);
            }
            catch (TimeoutException)
            {
                _transport.Output.CancelPendingFlush();
                await _writing;
            }
        }
        lock (_lock)
        {
            LibSsl.SslFree(_ssl);
            _ssl = 0;
            _side.Release();
        }
        _self.Free();
    }

    /// <summary>SNI: switches the connection to the context of the certificate for the name the client asked for.</summary>
    [UnmanagedCallersOnly]
    internal static unsafe int OnServerName(nint ssl, int* alert, nint argument)
    {
        try
        {
            var connection = From(LibSsl.SslGetReadBio(ssl));
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

    [UnmanagedCallersOnly]
    private static unsafe int BioRead(nint bio, byte* buffer, int length)
    {
        var connection = From(bio);
        LibSsl.BioClearFlags(bio, LibSsl.BioFlagsRetryAll);
        var available = connection._cipherIn;
        if (available.IsEmpty)
        {
            LibSsl.BioSetFlags(bio, LibSsl.BioFlagsRead | LibSsl.BioFlagsShouldRetry);
            return -1;
        }
        var count = (int)Math.Min(length, available.Length);
        available.Slice(0, count).CopyTo(new Span<byte>(buffer, count));
        connection._cipherIn = available.Slice(count);
        return count;
    }

    [UnmanagedCallersOnly]
    private static unsafe int BioWrite(nint bio, byte* data, int length)
    {
        var connection = From(bio);
        LibSsl.BioClearFlags(bio, LibSsl.BioFlagsRetryAll);
        var bytes = new ReadOnlySpan<byte>(data, length);
        try
        {
            if (connection._outputToSide)
            {
                connection._side.Append(bytes);
            }
            else
            {
                connection._transport.Output.Write(bytes);
                connection._unflushed += length;
            }
            return length;
        }
        catch (Exception)
        {
            return -1; // the transport is gone: an exception must not cross into OpenSSL
        }
    }

    [UnmanagedCallersOnly]
    private static long BioCtrl(nint bio, int command, long larg, nint parg) => command == LibSsl.BioCtrlFlush ? 1 : 0;

    private static unsafe nint CreateBioMethod()
    {
        var method = LibSsl.BioMethodNew(LibSsl.BioGetNewIndex() | LibSsl.BioTypeSourceSink, "wsskit-pipe");
        LibSsl.BioMethodSetRead(method, &BioRead);
        LibSsl.BioMethodSetWrite(method, &BioWrite);
        LibSsl.BioMethodSetCtrl(method, &BioCtrl);
        return method;
    }
}
