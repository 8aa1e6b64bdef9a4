using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using WssKit.Client.Connecting;
using WssKit.Protocol;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Framing;

namespace WssKit.Client;

/// <summary>
/// A WebSocket connection from the client side, on WssKit's engine: frames are masked with keys from a strong random
/// source, pings are answered while receiving, and the closing handshake is done properly.
/// </summary>
public sealed class WssClient : IAsyncDisposable
{
    private const int ReceiveBufferSize = 16 * 1024;
    // Messages smaller than this are sent uncompressed: DEFLATE gains nothing on them.
    private const int CompressionThreshold = 128;

    private readonly Stream _stream;
    private readonly MessageReader _reader;
    private readonly MessageCompression? _compression;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _maskKeys = new byte[256];
    private int _maskKeyOffset = 256;
    private byte[] _receive = new byte[ReceiveBufferSize];
    private int _start;
    private int _end;
    private bool _closeSent;
    private bool _closeReceived;
    private TaskCompletionSource<TimeSpan>? _pong;
    private long _pingSentAt;

    internal WssClient(Stream stream, UpgradeResult upgrade, WssClientOptions options, SslStream? tls)
    {
        _stream = stream;
        SubProtocol = upgrade.SubProtocol;
        ResponseHeaders = upgrade.Headers;
        _compression = upgrade.Compression is null ? null : new MessageCompression(upgrade.Compression, Role.Client);
        Compression = upgrade.Compression;
        _reader = new MessageReader(Role.Client, new ProtocolLimits { MaxMessageSize = options.MaxMessageSize }, _compression);
        upgrade.Leftover.CopyTo(_receive, 0);
        _end = upgrade.Leftover.Length;
        Tls = tls is null ? null : new TlsInfo(tls.SslProtocol.ToString(), tls.NegotiatedCipherSuite.ToString(), tls.RemoteCertificate as System.Security.Cryptography.X509Certificates.X509Certificate2);
    }

    /// <summary>The subprotocol the server chose, if any.</summary>
    public string? SubProtocol { get; }

    /// <summary>The permessage-deflate parameters agreed on, if any.</summary>
    public DeflateParameters? Compression { get; }

    /// <summary>The headers of the server's 101 answer.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; }

    /// <summary>The TLS version, suite and server certificate, for wss://.</summary>
    public TlsInfo? Tls { get; }

    /// <summary>Whether the connection has closed (a close was received or the connection ended).</summary>
    public bool IsClosed => _closeReceived;

    /// <summary>Opens a WebSocket to a ws:// or wss:// URL.</summary>
    /// <exception cref="WssConnectException">A stage failed: DNS, TCP, TLS or the upgrade; the message says which and why.</exception>
    public static async Task<WssClient> ConnectAsync(Uri uri, WssClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WssClientOptions();
        var opened = await StagedConnection.OpenAsync(uri, options, cancellationToken);
        return new WssClient(opened.Stream, opened.Upgrade, options, opened.Tls);
    }

    /// <summary>
    /// The next message, or the close that ended the connection (then every later call returns it again). Pings are
    /// answered meanwhile; a protocol breach by the server closes with the right code and returns that close.
    /// </summary>
    public async ValueTask<WssMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_closeReceived)
            {
                return _finalClose!;
            }
            if (TryReadBuffered(out var message, out var control))
            {
                if (control is { } frame)
                {
                    try
                    {
                        await SendFrameAsync(frame.Opcode, frame.Payload, cancellationToken);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        // The server may hang up right after its close (or mid-ping): what it said still stands, and a
                        // broken connection shows at the next read.
                    }
                    if (frame.Opcode == Opcode.Close)
                    {
                        await DisposeTransportAsync();
                        return _finalClose!;
                    }
                    continue;
                }
                return message!;
            }
            if (_end == _receive.Length)
            {
                Compact();
            }
            int read;
            try
            {
                read = await _stream.ReadAsync(_receive.AsMemory(_end), cancellationToken);
            }
            catch (IOException e)
            {
                read = 0;
                _abortReason = e.Message;
            }
            if (read == 0)
            {
                _closeReceived = true;
                _finalClose = new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, CloseCodes.Abnormal, _abortReason ?? "the connection ended without a close frame");
                return _finalClose;
            }
            _end += read;
        }
    }

    /// <summary>Every message until the connection closes.</summary>
    public async IAsyncEnumerable<WssMessage> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken);
            if (message.Kind == WssMessageKind.Close)
            {
                yield break;
            }
            yield return message;
        }
    }

    /// <summary>Sends one message; waits while an earlier send is still being written (back-pressure).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, bool text, CancellationToken cancellationToken = default)
        => SendFrameAsync(text ? Opcode.Text : Opcode.Binary, payload, cancellationToken, message: true);

    /// <summary>Sends a text message.</summary>
    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
        => SendAsync(System.Text.Encoding.UTF8.GetBytes(text), text: true, cancellationToken);

    /// <summary>Sends a ping and waits for its pong; returns the round-trip time. Someone must be receiving meanwhile.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var pong = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pong = pong;
        _pingSentAt = Stopwatch.GetTimestamp();
        var stamp = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(stamp, _pingSentAt);
        await SendFrameAsync(Opcode.Ping, stamp, cancellationToken);
        return await pong.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends a close frame; receive on until the server's close arrives (or use <see cref="CloseAsync"/> to do both).</summary>
    public async ValueTask SendCloseAsync(int code = CloseCodes.NormalClosure, string reason = "", CancellationToken cancellationToken = default)
    {
        var buffer = new byte[FrameWriter.MaxCloseFrame];
        var length = FrameWriter.WriteClose(buffer, code, reason, NextMaskKey());
        await WriteAsync(buffer.AsMemory(0, length), closing: true, cancellationToken);
    }

    /// <summary>The whole closing handshake: sends a close, then reads (discarding messages) until the server's close, bounded by the token.</summary>
    public async Task<WssMessage> CloseAsync(int code = CloseCodes.NormalClosure, string reason = "", CancellationToken cancellationToken = default)
    {
        await SendCloseAsync(code, reason, cancellationToken);
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken);
            if (message.Kind == WssMessageKind.Close)
            {
                return message;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeTransportAsync();
        _reader.Dispose();
        _sendLock.Dispose();
    }

    private WssMessage? _finalClose;
    private string? _abortReason;

    /// <summary>Parses the next item from the buffer: a message to return, or a control frame to send (pong, close reply).</summary>
    private bool TryReadBuffered(out WssMessage? message, out (Opcode Opcode, ReadOnlyMemory<byte> Payload)? control)
    {
        message = null;
        control = null;
        while (true)
        {
            var item = _reader.Read(_receive.AsSpan(_start, _end - _start), out var used);
            _start += used;
            switch (item.Kind)
            {
                case ReadKind.NeedMore:
                    return false;
                case ReadKind.Text:
                case ReadKind.Binary:
                    message = new WssMessage(item.Kind == ReadKind.Text ? WssMessageKind.Text : WssMessageKind.Binary, item.Payload.ToArray());
                    return true;
                case ReadKind.Ping:
                    control = (Opcode.Pong, item.Payload.ToArray());
                    return true;
                case ReadKind.Pong:
                    if (item.Payload.Length == 8 && BinaryPrimitives.ReadInt64BigEndian(item.Payload) == _pingSentAt)
                    {
                        _pong?.TrySetResult(Stopwatch.GetElapsedTime(_pingSentAt));
                    }
                    continue;
                case ReadKind.Close:
                    _finalClose = new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, item.CloseCode, item.Reason);
                    control = (Opcode.Close, CloseReply(item.CloseCode == CloseCodes.NoStatus ? CloseCodes.NormalClosure : item.CloseCode));
                    _closeReceived = true;
                    return true;
                default:
                    _finalClose = new WssMessage(WssMessageKind.Close, ReadOnlyMemory<byte>.Empty, item.CloseCode, $"the server broke the protocol: {item.Reason}");
                    control = (Opcode.Close, CloseReply(item.CloseCode, item.Reason));
                    _closeReceived = true;
                    return true;
            }
        }
    }

    private static byte[] CloseReply(int code, string? reason = null)
    {
        var payload = new byte[2 + System.Text.Encoding.UTF8.GetByteCount(reason ?? "")];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        System.Text.Encoding.UTF8.GetBytes(reason ?? "", payload.AsSpan(2));
        return payload.Length > 125 ? payload[..125] : payload;
    }

    private void Compact()
    {
        var left = _end - _start;
        if (left > _receive.Length / 2)
        {
            Array.Resize(ref _receive, _receive.Length * 2);
        }
        _receive.AsSpan(_start, left).CopyTo(_receive);
        _start = 0;
        _end = left;
    }

    private async ValueTask SendFrameAsync(Opcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken, bool message = false)
    {
        await _sendLock.WaitAsync(cancellationToken);
        var frame = new PooledBuffer();
        try
        {
            if (_closeSent && opcode != Opcode.Close)
            {
                if (message)
                {
                    throw new InvalidOperationException("the connection is closing: no message can be sent");
                }
                return;
            }
            var compressed = new PooledBuffer();
            try
            {
                var body = payload.Span;
                var rsv1 = false;
                if (message && _compression is not null && payload.Length >= CompressionThreshold)
                {
                    // Under the send lock: with context takeover the order of compression must be the order of sending.
                    _compression.Compress(body, ref compressed);
                    body = compressed.Written;
                    rsv1 = true;
                }
                var span = frame.GetSpan((int)FrameWriter.SizeOf(body.Length, masked: true));
                frame.Advance(FrameWriter.Write(span, opcode, body, NextMaskKey(), rsv1: rsv1));
            }
            finally
            {
                compressed.Release();
            }
            _closeSent |= opcode == Opcode.Close;
            await _stream.WriteAsync(frame.WrittenMemory, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            frame.Release();
            _sendLock.Release();
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, bool closing, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_closeSent)
            {
                return;
            }
            _closeSent = closing;
            await _stream.WriteAsync(frame, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>A fresh masking key: 4 bytes from the system's strong random source, drawn 256 bytes at a time.</summary>
    private uint NextMaskKey()
    {
        lock (_maskKeys)
        {
            if (_maskKeyOffset == _maskKeys.Length)
            {
                RandomNumberGenerator.Fill(_maskKeys);
                _maskKeyOffset = 0;
            }
            var key = Masking.KeyFrom(_maskKeys.AsSpan(_maskKeyOffset, 4));
            _maskKeyOffset += 4;
            return key;
        }
    }

    private async ValueTask DisposeTransportAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
            // Already broken: nothing to close.
        }
    }
}

/// <summary>What TLS agreed on.</summary>
/// <param name="Protocol">The TLS version.</param>
/// <param name="CipherSuite">The cipher suite.</param>
/// <param name="Certificate">The server's certificate.</param>
public sealed record TlsInfo(string Protocol, string CipherSuite, System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate);
