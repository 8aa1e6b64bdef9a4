using System.Buffers.Binary;
using System.Text;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Text;

namespace WssKit.Protocol.Framing;

/// <summary>
/// The receiving half of a WebSocket connection (RFC 6455 §5 and §7): turns bytes into whole messages and control
/// frames, and every breach of the protocol into the close code to answer with (1002, 1007, 1009).
/// <para>
/// Every complete frame in the input is parsed in one pass. Payloads are unmasked in place; a message that arrives
/// in one frame is handed out straight from the input, without a copy; fragmented and partly received messages
/// are gathered in a pooled buffer that goes back to the pool as soon as the message is read. Text is checked as
/// it arrives, so invalid UTF-8 fails the connection at once, not at the end of the message.
/// </para>
/// </summary>
public sealed class MessageReader : IDisposable
{
    private readonly Role _role;
    private readonly ProtocolLimits _limits;
    private readonly IMessageDecompressor? _decompressor;

    // The frame being received, once its header is parsed.
    private bool _inPayload;
    private bool _frameFin;
    private long _frameRemaining;
    private bool _frameMasked;
    private uint _frameMask;
    private int _maskOffset;

    // The message being received, once its first frame arrived.
    private bool _inMessage;
    private Opcode _messageOpcode;
    private bool _messageCompressed;
    private Utf8Validator _utf8;
    private PooledBuffer _message;
    // The message buffer is sized for the rest of a frame at once when that rest is at most this many times the
    // frame's bytes that have arrived: the buffer stays within a bounded multiple of what the peer actually sent.
    private const int RestOfFrameFactor = 8;
    // The room the message buffer must have for the rest of a frame to be offered in place, when it cannot take all of
    // the rest: less would cost the transport a read of its own for little.
    private const int MinInPlaceRoom = 16 * 1024;
    private const string InvalidText = "a text message is not valid UTF-8";
    private PooledBuffer _decompressed;
    private bool _releasePending;
    private bool _closed;

    /// <summary>Creates the reader of one connection.</summary>
    /// <param name="role">Which end this is: servers require masked frames, clients unmasked ones.</param>
    /// <param name="limits">The size limits.</param>
    /// <param name="decompressor">The permessage-deflate decompressor when that extension was negotiated; RSV1 is a protocol error otherwise.</param>
    public MessageReader(Role role, ProtocolLimits limits, IMessageDecompressor? decompressor = null)
    {
        _role = role;
        _limits = limits;
        _decompressor = decompressor;
    }

    /// <summary>Whether part of a message or frame has been received and is waiting for the rest.</summary>
    public bool InMessage => _inMessage || _inPayload;

    /// <summary>Whether any pooled buffer is held (none is between messages).</summary>
    public bool HoldsMemory => _message.HoldsMemory || _decompressed.HoldsMemory;

    /// <summary>The size of the buffer a message is put together in (0 when none is held).</summary>
    internal int MessageCapacity => _message.Capacity;

    /// <summary>
    /// Room in the message buffer for the next bytes of the frame being received, once part of it is gathered there:
    /// the rest of the frame when the buffer was sized for it, or at least 16 KiB of it. A transport may put those
    /// bytes there itself (decrypt them straight into it) and then call <see cref="ReadInPlace"/>, which saves copying
    /// them out of its own buffer. Empty otherwise: then <see cref="Read"/> takes the next bytes.
    /// </summary>
    public Memory<byte> InPlaceTarget
    {
        get
        {
            if (!_inPayload || _closed || !_message.HoldsMemory)
            {
                return Memory<byte>.Empty;
            }
            var room = _message.Room;
            return room.Length >= _frameRemaining ? room[..(int)_frameRemaining]
                : room.Length >= MinInPlaceRoom ? room
                : Memory<byte>.Empty;
        }
    }

    /// <summary>
    /// Reads the first <paramref name="count"/> bytes of <see cref="InPlaceTarget"/>, written there since it was asked
    /// for, as <see cref="Read"/> would have read them from its input: the message when they end it.
    /// </summary>
    public ReadItem ReadInPlace(int count)
    {
        var target = InPlaceTarget.Span;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, target.Length);
        if (!TakePayload(target[..count]))
        {
            return Fail(CloseCodes.InvalidPayload, InvalidText);
        }
        _message.Advance(count);
        _frameRemaining -= count;
        if (_frameRemaining > 0)
        {
            return ReadItem.NeedMore;
        }
        _inPayload = false;
        return !_frameFin ? ReadItem.NeedMore : _messageCompressed ? Decompress() : Finish(_message.Written);
    }

    /// <summary>
    /// Reads the next message or control frame from <paramref name="input"/>, whose first bytes continue where the
    /// last call stopped. Payload bytes are unmasked in place in <paramref name="input"/>.
    /// </summary>
    /// <param name="input">Received bytes not yet consumed.</param>
    /// <param name="consumed">How many bytes of <paramref name="input"/> were used; keep the rest for the next call.</param>
    public ReadItem Read(Span<byte> input, out int consumed)
    {
        consumed = 0;
        if (_releasePending)
        {
            // The last message was handed out of this buffer; it is no longer needed.
            _message.Release();
            _decompressed.Release();
            _releasePending = false;
        }
        while (!_closed)
        {
            if (!_inPayload)
            {
                if (!_inMessage && TryReadSmallMessage(input[consumed..], out var smallLength, out var small))
                {
                    consumed += smallLength;
                    return small;
                }
                FrameHeader header;
                try
                {
                    if (!FrameHeader.TryRead(input[consumed..], out header))
                    {
                        return ReadItem.NeedMore;
                    }
                }
                catch (InvalidFrameException e)
                {
                    return Fail(CloseCodes.ProtocolError, e.Message);
                }
                if (Check(header) is { } problem)
                {
                    return Fail(problem.Code, problem.Reason);
                }
                if (Opcodes.IsControl(header.Opcode))
                {
                    // Control frames are at most 125 bytes: wait until the whole frame is here.
                    var frameLength = header.Length + (int)header.PayloadLength;
                    if (input.Length - consumed < frameLength)
                    {
                        return ReadItem.NeedMore;
                    }
                    var payload = input.Slice(consumed + header.Length, (int)header.PayloadLength);
                    if (header.Masked)
                    {
                        Masking.Apply(payload, header.MaskKey, 0);
                    }
                    consumed += frameLength;
                    return Control(header.Opcode, payload);
                }
                consumed += header.Length;
                StartFrame(header);
            }

            var available = (int)Math.Min(_frameRemaining, input.Length - consumed);
            var chunk = input.Slice(consumed, available);
            if (!TakePayload(chunk))
            {
                return Fail(CloseCodes.InvalidPayload, InvalidText);
            }
            consumed += available;
            _frameRemaining -= available;
            var frameDone = _frameRemaining == 0;
            if (frameDone && _frameFin && _message.Length == 0 && !_messageCompressed)
            {
                // The whole message is this one frame, and it is all in the input: no copy.
                _inPayload = false;
                return Finish(chunk);
            }
            if (available > 0)
            {
                if (_frameRemaining > 0 && _frameRemaining <= (long)available * RestOfFrameFactor && available + _frameRemaining <= int.MaxValue)
                {
                    // Room for the rest of the frame at once, so that the message is not copied again each time the
                    // buffer doubles (a 64 KiB message arriving in 16 KiB records was copied 1.75 times). Only when
                    // the rest is a few times what arrived: a declared length alone never reserves memory.
                    _message.GetSpan(available + (int)_frameRemaining);
                }
                _message.Append(chunk);
            }
            if (!frameDone)
            {
                return ReadItem.NeedMore;
            }
            _inPayload = false;
            if (_frameFin)
            {
                return _messageCompressed ? Decompress() : Finish(_message.Written);
            }
        }
        return ReadItem.NeedMore;
    }

    /// <summary>Unmasks the next bytes of the frame's payload in place and checks them as text; false when they are not valid UTF-8.</summary>
    private bool TakePayload(Span<byte> chunk)
    {
        if (_frameMasked)
        {
            _maskOffset = Masking.Apply(chunk, _frameMask, _maskOffset);
        }
        return _messageOpcode != Opcode.Text || _messageCompressed || _utf8.Append(chunk);
    }

    /// <summary>
    /// The most common input in one step: a whole message in one frame (FIN, no RSV bit, text or binary, masked as
    /// the role requires, a 7- or 16-bit length), all of it in the input, between messages. Such a frame passes every
    /// check of the general path and leaves no state behind, so that path would find the same message; anything
    /// else, invalid UTF-8 included, is left to it.
    /// </summary>
    private bool TryReadSmallMessage(Span<byte> rest, out int frameLength, out ReadItem item)
    {
        item = default;
        frameLength = 0;
        if (rest.Length < 2)
        {
            return false;
        }
        var first = rest[0];
        var second = rest[1];
        var masked = (second & 0x80) != 0;
        if ((first != 0x81 && first != 0x82) || masked != (_role == Role.Server))
        {
            return false;
        }
        int length, lengthBytes;
        switch (second & 0x7F)
        {
            case < 126 and var sevenBits:
                (length, lengthBytes) = (sevenBits, 0);
                break;
            case 126 when rest.Length >= 4:
                (length, lengthBytes) = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]), 2);
                break;
            default:
                return false;
        }
        var headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (rest.Length < headerLength + length || length > _limits.MaxMessageSize)
        {
            return false;
        }
        var payload = rest.Slice(headerLength, length);
        var mask = masked ? Masking.KeyFrom(rest.Slice(2 + lengthBytes, 4)) : 0;
        if (masked)
        {
            Masking.Apply(payload, mask, 0);
        }
        var text = first == 0x81;
        if (text && !Utf8Validator.IsValid(payload))
        {
            // Masked again as it came: the general path finds the error and words it (where the text goes wrong).
            if (masked)
            {
                Masking.Apply(payload, mask, 0);
            }
            return false;
        }
        frameLength = headerLength + length;
        item = new ReadItem(text ? ReadKind.Text : ReadKind.Binary, payload);
        return true;
    }

    /// <summary>Gives back pooled buffers; call when the connection ends.</summary>
    public void Dispose()
    {
        _message.Release();
        _decompressed.Release();
        _decompressor?.Dispose();
    }

    private (int Code, string Reason)? Check(FrameHeader header)
    {
        if (_role == Role.Server && !header.Masked)
        {
            return (CloseCodes.ProtocolError, "a frame from the client is not masked");
        }
        if (_role == Role.Client && header.Masked)
        {
            return (CloseCodes.ProtocolError, "a frame from the server is masked");
        }
        if (header.Rsv2 || header.Rsv3)
        {
            return (CloseCodes.ProtocolError, "RSV2 or RSV3 is set, but no extension defines them");
        }
        if (!Opcodes.IsDefined(header.Opcode))
        {
            return (CloseCodes.ProtocolError, $"opcode {(byte)header.Opcode:X} is reserved");
        }
        if (Opcodes.IsControl(header.Opcode))
        {
            if (!header.Fin)
            {
                return (CloseCodes.ProtocolError, "a control frame is fragmented");
            }
            if (header.PayloadLength > 125)
            {
                return (CloseCodes.ProtocolError, "a control frame is longer than 125 bytes");
            }
            if (header.Rsv1)
            {
                return (CloseCodes.ProtocolError, "RSV1 is set on a control frame");
            }
            return null;
        }
        if (header.Opcode == Opcode.Continuation)
        {
            if (!_inMessage)
            {
                return (CloseCodes.ProtocolError, "a continuation frame arrived with no message to continue");
            }
            if (header.Rsv1)
            {
                return (CloseCodes.ProtocolError, "RSV1 is set on a continuation frame");
            }
        }
        else
        {
            if (_inMessage)
            {
                return (CloseCodes.ProtocolError, "a new message began before the fragmented one ended");
            }
            if (header.Rsv1 && _decompressor is null)
            {
                return (CloseCodes.ProtocolError, "RSV1 is set, but permessage-deflate was not negotiated");
            }
        }
        if (header.PayloadLength > _limits.MaxMessageSize - _message.Length)
        {
            return (CloseCodes.MessageTooBig, $"message too big: the limit is {ByteSize.Format(_limits.MaxMessageSize)}");
        }
        return null;
    }

    private void StartFrame(FrameHeader header)
    {
        if (header.Opcode != Opcode.Continuation)
        {
            _inMessage = true;
            _messageOpcode = header.Opcode;
            _messageCompressed = header.Rsv1;
            _utf8.Reset();
        }
        _inPayload = true;
        _frameFin = header.Fin;
        _frameRemaining = header.PayloadLength;
        _frameMasked = header.Masked;
        _frameMask = header.MaskKey;
        _maskOffset = 0;
    }

    private ReadItem Finish(ReadOnlySpan<byte> payload)
    {
        _inMessage = false;
        if (_messageOpcode == Opcode.Text && !_utf8.IsComplete)
        {
            return Fail(CloseCodes.InvalidPayload, "a text message ends in the middle of a UTF-8 sequence");
        }
        _releasePending = _message.HoldsMemory || _decompressed.HoldsMemory;
        return new ReadItem(_messageOpcode == Opcode.Text ? ReadKind.Text : ReadKind.Binary, payload);
    }

    private ReadItem Decompress()
    {
        switch (_decompressor!.Decompress(_message.Written, ref _decompressed, _limits.MaxMessageSize))
        {
            case DecompressStatus.TooBig:
                return Fail(CloseCodes.MessageTooBig, $"message too big: decompressed it exceeds the limit of {ByteSize.Format(_limits.MaxMessageSize)}");
            case DecompressStatus.Corrupt:
                return Fail(CloseCodes.InvalidPayload, "a compressed message is not valid DEFLATE data");
        }
        if (_messageOpcode == Opcode.Text && !Utf8Validator.IsValid(_decompressed.Written))
        {
            return Fail(CloseCodes.InvalidPayload, InvalidText);
        }
        _inMessage = false;
        _releasePending = true;
        return new ReadItem(_messageOpcode == Opcode.Text ? ReadKind.Text : ReadKind.Binary, _decompressed.Written);
    }

    private ReadItem Control(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        switch (opcode)
        {
            case Opcode.Ping:
                return new ReadItem(ReadKind.Ping, payload);
            case Opcode.Pong:
                return new ReadItem(ReadKind.Pong, payload);
        }
        if (payload.Length == 1)
        {
            return Fail(CloseCodes.ProtocolError, "a close frame has a 1-byte payload, too short for a code");
        }
        var code = payload.Length == 0 ? CloseCodes.NoStatus : BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (payload.Length >= 2 && !CloseCodes.IsValidOnTheWire(code))
        {
            return Fail(CloseCodes.ProtocolError, $"close code {code} may not be sent");
        }
        var reason = payload.Length > 2 ? payload[2..] : default;
        if (!Utf8Validator.IsValid(reason))
        {
            return Fail(CloseCodes.InvalidPayload, "the close reason is not valid UTF-8");
        }
        _closed = true;
        return new ReadItem(ReadKind.Close, payload, code, Encoding.UTF8.GetString(reason));
    }

    private ReadItem Fail(int code, string reason)
    {
        _closed = true;
        return ReadItem.Fail(code, reason);
    }
}
