using System.Buffers;

namespace WssKit.Protocol;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/> that holds nothing when empty: the array goes back
/// to the pool on <see cref="Release"/>, so an idle connection keeps no buffer.
/// </summary>
public struct PooledBuffer
{
    private byte[]? _array;
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public readonly Span<byte> Written => _array is null ? Span<byte>.Empty : _array.AsSpan(0, _length);

    /// <summary>The bytes written so far, as memory (to cross an await).</summary>
    public readonly ReadOnlyMemory<byte> WrittenMemory => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, _length);

    /// <summary>The room after the bytes written, in the array held (empty when none): write into it, then <see cref="Advance"/>.</summary>
    public readonly Memory<byte> Room => _array is null ? Memory<byte>.Empty : _array.AsMemory(_length);

    /// <summary>How many bytes were written.</summary>
    public readonly int Length => _length;

    /// <summary>Whether an array is held.</summary>
    public readonly bool HoldsMemory => _array is not null;

    /// <summary>The size of the array held (0 when none).</summary>
    public readonly int Capacity => _array?.Length ?? 0;

    /// <summary>Appends bytes, growing (at least doubling) as needed.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Room for at least <paramref name="size"/> more bytes; call <see cref="Advance"/> with what was written.</summary>
    public Span<byte> GetSpan(int size)
    {
        var needed = _length + size;
        if (_array is null || needed > _array.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(256, (_array?.Length ?? 0) * 2)));
            if (_array is not null)
            {
                _array.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
            }
            _array = larger;
        }
        return _array.AsSpan(_length);
    }

    /// <summary>Counts bytes written into the span from <see cref="GetSpan"/>.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>Drops the first <paramref name="count"/> bytes written (they were sent), moving the rest to the front.</summary>
    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)_length, nameof(count));
        _array.AsSpan(count, _length - count).CopyTo(_array);
        _length -= count;
    }

    /// <summary>Keeps only the first <paramref name="length"/> bytes written.</summary>
    public void Truncate(int length) => _length = Math.Min(length, _length);

    /// <summary>Forgets the contents but keeps the array, for the next message.</summary>
    public void Clear() => _length = 0;

    /// <summary>Forgets the contents and gives the array back to the pool.</summary>
    public void Release()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
        _length = 0;
    }
}
