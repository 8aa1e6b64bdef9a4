using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using WssKit.Protocol.Framing;

namespace WssKit.Cli.Bench;

/// <summary>
/// Reads the server's frames as they arrive, in pieces of any size: counts the echoed messages, checks each against
/// the payload that was sent (length, type and every byte), answers pings and notes the server's close. It never
/// copies a message: the load loop only needs to know how many came back and whether they were intact.
/// </summary>
internal sealed class EchoScanner(byte[] expected, bool binary)
{
    private readonly byte[] _header = new byte[FrameHeader.MaxLength];
    private readonly byte[] _control = new byte[125];
    private readonly Opcode _expectedOpcode = binary ? Opcode.Binary : Opcode.Text;
    private readonly byte[] _echo = EchoFrame(expected, binary);
    private int _headerLength;
    private bool _inFrame;
    private Opcode _opcode;
    private bool _fin;
    private long _remaining;
    private int _controlLength;
    private bool _inMessage;
    private long _messageBytes;
    private bool _messageBad;
    private byte[] _pending = new byte[64];
    private int _pendingLength;
    private bool _closeSent;

    /// <summary>Messages that came back different from what was sent (length, type or bytes).</summary>
    public long Corrupted { get; private set; }

    /// <summary>The server sent a close frame; nothing after it is read.</summary>
    public bool CloseReceived { get; private set; }

    /// <summary>The code of the server's close (1005 when it gave none).</summary>
    public int CloseCode { get; private set; }

    /// <summary>Set when the server broke RFC 6455; the connection is of no further use.</summary>
    public string? ProtocolError { get; private set; }

    /// <summary>Whether control frames (pongs, the close reply) wait to be written.</summary>
    public bool HasControlToSend => _pendingLength > 0;

    /// <summary>Control frames to write before anything else, then <see cref="ControlSent"/>.</summary>
    public ReadOnlyMemory<byte> ControlToSend => _pending.AsMemory(0, _pendingLength);

    public void ControlSent() => _pendingLength = 0;

    /// <summary>Reads the next bytes from the server; returns how many whole messages they completed.</summary>
    /// <remarks>
    /// Compiled optimized at once, like the other per-read methods here: on a load generator's busy core the
    /// background JIT takes seconds to promote them, and those seconds would be inside the measured window.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Feed(ReadOnlySpan<byte> data)
    {
        var messages = 0;
        while (!data.IsEmpty && !CloseReceived && ProtocolError is null)
        {
            if (!_inFrame && _headerLength == 0 && !_inMessage)
            {
                // The common case: whole echoes, each exactly the frame a server writes for the payload sent.
                var echo = _echo.AsSpan();
                while (data.Length >= echo.Length && data[..echo.Length].SequenceEqual(echo))
                {
                    messages++;
                    data = data[echo.Length..];
                }
                if (data.IsEmpty)
                {
                    break;
                }
            }
            if (!_inFrame)
            {
                if (_headerLength == 0 && TryReadHeader(data, out var header))
                {
                    data = data[header.Length..];
                }
                else
                {
                    // A header cut between two reads: gather it here (at most 14 bytes).
                    var take = Math.Min(data.Length, _header.Length - _headerLength);
                    data[..take].CopyTo(_header.AsSpan(_headerLength));
                    if (!TryReadHeader(_header.AsSpan(0, _headerLength + take), out header))
                    {
                        if (ProtocolError is not null)
                        {
                            return messages;
                        }
                        _headerLength += take;
                        return messages;
                    }
                    data = data[(header.Length - _headerLength)..];
                    _headerLength = 0;
                }
                if (!Start(header))
                {
                    return messages;
                }
            }
            if (_remaining > 0)
            {
                var take = (int)Math.Min(_remaining, data.Length);
                Payload(data[..take]);
                data = data[take..];
                _remaining -= take;
            }
            if (_remaining == 0)
            {
                messages += End();
            }
        }
        return messages;
    }

    /// <summary>The frame a server sends back for this payload: unmasked, one frame, shortest length encoding.</summary>
    private static byte[] EchoFrame(byte[] payload, bool binary)
    {
        var frame = new byte[FrameWriter.SizeOf(payload.Length, masked: false)];
        FrameWriter.Write(frame, binary ? Opcode.Binary : Opcode.Text, payload);
        return frame;
    }

    /// <summary>Queues a close frame (the client starting the closing handshake).</summary>
    public void QueueClose(int code)
    {
        if (!_closeSent)
        {
            _closeSent = true;
            QueueControl(Opcode.Close, [(byte)(code >> 8), (byte)code]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadHeader(ReadOnlySpan<byte> data, out FrameHeader header)
    {
        try
        {
            return FrameHeader.TryRead(data, out header);
        }
        catch (InvalidFrameException e)
        {
            header = default;
            return Fail($"the server sent a bad frame header: {e.Message}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Start(FrameHeader header)
    {
        _inFrame = true;
        _opcode = header.Opcode;
        _fin = header.Fin;
        _remaining = header.PayloadLength;
        _controlLength = 0;
        if (header.Masked || header.Rsv1 || header.Rsv2 || header.Rsv3)
        {
            return Fail(header.Masked ? "the server masked a frame" : "the server set a reserved bit, with no extension agreed");
        }
        switch (header.Opcode)
        {
            case Opcode.Text or Opcode.Binary:
                if (_inMessage)
                {
                    return Fail("the server started a message inside another");
                }
                _inMessage = true;
                _messageBytes = 0;
                _messageBad = header.Opcode != _expectedOpcode;
                return true;
            case Opcode.Continuation:
                return _inMessage || Fail("the server sent a continuation frame outside a message");
            case Opcode.Close or Opcode.Ping or Opcode.Pong:
                return (header.Fin && header.PayloadLength <= 125) || Fail("the server sent a fragmented or oversized control frame");
            default:
                return Fail($"the server sent the reserved opcode {(int)header.Opcode}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Payload(ReadOnlySpan<byte> chunk)
    {
        if (Opcodes.IsControl(_opcode))
        {
            chunk.CopyTo(_control.AsSpan(_controlLength));
            _controlLength += chunk.Length;
            return;
        }
        if (!_messageBad)
        {
            _messageBad = _messageBytes + chunk.Length > expected.Length
                || !chunk.SequenceEqual(expected.AsSpan((int)_messageBytes, chunk.Length));
        }
        _messageBytes += chunk.Length;
    }

    /// <summary>A frame is complete; returns 1 when it completed a message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int End()
    {
        _inFrame = false;
        switch (_opcode)
        {
            case Opcode.Ping:
                QueueControl(Opcode.Pong, _control.AsSpan(0, _controlLength));
                return 0;
            case Opcode.Close:
                CloseReceived = true;
                CloseCode = _controlLength >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_control) : CloseCodes.NoStatus;
                // Answer a close the server started with the same code, as RFC 6455 §5.5.1 asks.
                QueueClose(CloseCode == CloseCodes.NoStatus ? CloseCodes.NormalClosure : CloseCode);
                return 0;
            case Opcode.Pong:
                return 0;
        }
        if (!_fin)
        {
            return 0;
        }
        _inMessage = false;
        if (_messageBad || _messageBytes != expected.Length)
        {
            Corrupted++;
        }
        return 1;
    }

    private void QueueControl(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        var size = (int)FrameWriter.SizeOf(payload.Length, masked: true);
        if (_pendingLength + size > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + size));
        }
        Span<byte> key = stackalloc byte[4];
        RandomNumberGenerator.Fill(key);
        _pendingLength += FrameWriter.Write(_pending.AsSpan(_pendingLength), opcode, payload, Masking.KeyFrom(key));
    }

    private bool Fail(string problem)
    {
        ProtocolError = problem;
        return false;
    }
}
