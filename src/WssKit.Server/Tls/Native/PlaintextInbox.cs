using System.Buffers;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// Decrypted bytes on their way to an <see cref="IPlaintextSink"/>: a pooled buffer of one record's size for each
/// burst, given back once the sink has taken what it holds, and the few bytes a sink leaves for next time (a frame's
/// beginning) kept in a small buffer of their own, so that an idle connection holds no burst-sized buffer. While the
/// sink receives the rest of a large frame, bytes go straight into the sink's own buffer instead
/// (<see cref="IPlaintextSink.InPlaceTarget"/>), one copy fewer.
/// </summary>
internal sealed class PlaintextInbox(IPlaintextSink sink) : IBufferWriter<byte>
{
    // A sink leaves at most a frame header or a control frame (under 150 bytes) for next time.
    private const int CarrySize = 256;

    private byte[]? _buffer;
    private int _length;
    private int _arrived; // bytes added since the sink was last offered the buffer
    private byte[]? _carry;
    private int _carryLength;
    // The sink's target while bytes go there, and how many were put into it.
    private Memory<byte> _inPlace;
    private int _inPlaceLength;

    /// <summary>
    /// The size of the buffer rented for a burst: one record's plaintext, so that the sink sees a large frame's header
    /// after its first record and can take the frame's other records in place.
    /// </summary>
    public int BurstSize { get; init; } = NativeTlsConnection.RecordSize;

    /// <summary>Whether a buffer of either kind is held.</summary>
    public bool HoldsMemory => _buffer is not null || _carry is not null;

    /// <summary>Room for more decrypted bytes: empty when the burst's buffer, or the sink's target, is full.</summary>
    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_buffer is null && _carry is null)
        {
            // The target stays the same until the sink is handed what was put there.
            if (_inPlace.IsEmpty)
            {
                _inPlace = sink.InPlaceTarget;
            }
            if (!_inPlace.IsEmpty)
            {
                return _inPlace[_inPlaceLength..];
            }
        }
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(BurstSize, _carryLength + CarrySize));
            if (_carry is not null)
            {
                _carry.AsSpan(0, _carryLength).CopyTo(_buffer);
                _length = _carryLength;
                ReleaseCarry();
            }
        }
        return _buffer.AsMemory(_length);
    }

    public void Advance(int count)
    {
        if (!_inPlace.IsEmpty)
        {
            _inPlaceLength += count;
            return;
        }
        _length += count;
        _arrived += count;
    }

    /// <summary>
    /// Hands the sink what arrived (nothing when no byte came since the last time), and keeps what it leaves for next
    /// time.
    /// </summary>
    public void Deliver()
    {
        if (!_inPlace.IsEmpty)
        {
            var count = _inPlaceLength;
            (_inPlace, _inPlaceLength) = (Memory<byte>.Empty, 0);
            if (count > 0)
            {
                sink.OnReceivedInPlace(count);
            }
            return;
        }
        if (_buffer is null)
        {
            return;
        }
        var used = 0;
        if (_arrived > 0)
        {
            _arrived = 0;
            used = sink.OnReceived(_buffer.AsSpan(0, _length));
            if (used == 0 && _length == _buffer.Length)
            {
                throw new InvalidOperationException($"the plaintext sink took none of {_length} bytes: it would never make progress");
            }
        }
        var rest = _length - used;
        if (rest == 0)
        {
            ReleaseBuffer();
        }
        else if (rest <= CarrySize)
        {
            _carry = ArrayPool<byte>.Shared.Rent(CarrySize);
            _buffer.AsSpan(used, rest).CopyTo(_carry);
            _carryLength = rest;
            ReleaseBuffer();
        }
        else if (used > 0)
        {
            _buffer.AsSpan(used, rest).CopyTo(_buffer);
            _length = rest;
        }
    }

    /// <summary>Gives every buffer back; what was held is dropped.</summary>
    public void Release()
    {
        ReleaseBuffer();
        ReleaseCarry();
        (_inPlace, _inPlaceLength) = (Memory<byte>.Empty, 0);
    }

    private void ReleaseBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        _length = 0;
    }

    private void ReleaseCarry()
    {
        if (_carry is not null)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = null;
        }
        _carryLength = 0;
    }
}
