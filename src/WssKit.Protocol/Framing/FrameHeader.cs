using System.Buffers.Binary;

namespace WssKit.Protocol.Framing;

/// <summary>The header of one frame (RFC 6455 §5.2): 2 to 14 bytes before the payload.</summary>
public readonly record struct FrameHeader(bool Fin, bool Rsv1, bool Rsv2, bool Rsv3, Opcode Opcode, bool Masked, uint MaskKey, long PayloadLength, int Length)
{
    /// <summary>The longest header: 2 bytes, an 8-byte length and a 4-byte masking key.</summary>
    public const int MaxLength = 14;

    /// <summary>Reads a header from the start of <paramref name="input"/>.</summary>
    /// <returns>False when the input holds only part of a header; the header is then default.</returns>
    /// <exception cref="InvalidFrameException">The 64-bit length has its most significant bit set (§5.2).</exception>
    public static bool TryRead(ReadOnlySpan<byte> input, out FrameHeader header)
    {
        header = default;
        if (input.Length < 2)
        {
            return false;
        }
        var first = input[0];
        var second = input[1];
        var masked = (second & 0x80) != 0;
        long length = second & 0x7F;
        var size = 2;
        if (length == 126)
        {
            if (input.Length < 4)
            {
                return false;
            }
            length = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
            size = 4;
        }
        else if (length == 127)
        {
            if (input.Length < 10)
            {
                return false;
            }
            var wide = BinaryPrimitives.ReadUInt64BigEndian(input[2..]);
            if (wide > long.MaxValue)
            {
                throw new InvalidFrameException("the 64-bit payload length has its most significant bit set");
            }
            length = (long)wide;
            size = 10;
        }
        uint mask = 0;
        if (masked)
        {
            if (input.Length < size + 4)
            {
                return false;
            }
            mask = Masking.KeyFrom(input.Slice(size, 4));
            size += 4;
        }
        header = new FrameHeader(
            Fin: (first & 0x80) != 0,
            Rsv1: (first & 0x40) != 0,
            Rsv2: (first & 0x20) != 0,
            Rsv3: (first & 0x10) != 0,
            Opcode: (Opcode)(first & 0x0F),
            Masked: masked,
            MaskKey: mask,
            PayloadLength: length,
            Length: size);
        return true;
    }

    /// <summary>The size of the header for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int SizeFor(long payloadLength, bool masked)
        => (payloadLength < 126 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10) + (masked ? 4 : 0);

    /// <summary>Writes a header with the shortest length encoding; returns its size.</summary>
    /// <param name="destination">At least <see cref="SizeFor"/> bytes.</param>
    /// <param name="opcode">The frame's opcode.</param>
    /// <param name="payloadLength">The payload's length.</param>
    /// <param name="fin">Whether this is the last frame of the message.</param>
    /// <param name="rsv1">RSV1: set on the first frame of a compressed message (RFC 7692).</param>
    /// <param name="mask">The masking key (client frames), or null (server frames).</param>
    public static int Write(Span<byte> destination, Opcode opcode, long payloadLength, bool fin = true, bool rsv1 = false, uint? mask = null)
    {
        destination[0] = (byte)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (byte)opcode);
        var maskBit = mask is null ? 0 : 0x80;
        int size;
        if (payloadLength < 126)
        {
            destination[1] = (byte)(maskBit | (int)payloadLength);
            size = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            size = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            size = 10;
        }
        if (mask is { } key)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[size..], key);
            size += 4;
        }
        return size;
    }
}

/// <summary>A frame breaks RFC 6455 at the byte level (reserved length bit).</summary>
public sealed class InvalidFrameException(string message) : Exception(message);
