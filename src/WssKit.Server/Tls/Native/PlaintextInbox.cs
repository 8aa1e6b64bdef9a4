using System.Buffers;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// Decrypted bytes on their way to an <see cref="IPlaintextSink"/>: a pooled buffer for each burst, given back once
/// the sink has taken what it holds, and the few bytes a sink leaves for next time (a frame's beginning) kept in a
/// small buffer of their own, so that an idle connection holds no burst-sized buffer.
/// </summary>
internal sealed class PlaintextInbox : IBufferWriter<byte>
{
    // A sink leaves at most a frame header or a control frame (under 150 bytes) for next time.
    private const int CarrySize = 256;

    private byte[]? _buffer;
    private int _length;
    private int _arrived; // bytes added since the sink was last offered the buffer
    private byte[]? _carry;
    private int _carryLength;

    /// <summary>The size of the buffer rented for the next burst.</summary>
    public int BurstSize { get; set; } = 16 * 1024;

    /// <summary>Whether a buffer of either kind is held.</summary>
    public bool HoldsMemory => _buffer is not null || _carry is not null;

    /// <summary>Room for more decrypted bytes: empty when the burst's buffer is full.</summary>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
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
        return _buffer.AsSpan(_length);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        GetSpan(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public void Advance(int count)
    {
        _length += count;
        _arrived += count;
    }

    /// <summary>Offers what arrived to <paramref name="sink"/> (nothing when no byte came since the last offer), and keeps what it leaves for next time.</summary>
    public void DeliverTo(IPlaintextSink sink)
    {
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
