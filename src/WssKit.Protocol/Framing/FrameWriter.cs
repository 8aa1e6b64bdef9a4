using System.Buffers.Binary;
using System.Text;

namespace WssKit.Protocol.Framing;

/// <summary>
/// Writes whole frames into a buffer: the header with the shortest length encoding, then the payload, masked in
/// the destination when a masking key is given (client role).
/// </summary>
public static class FrameWriter
{
    /// <summary>The size of a frame carrying <paramref name="payloadLength"/> bytes.</summary>
    public static long SizeOf(long payloadLength, bool masked) => FrameHeader.SizeFor(payloadLength, masked) + payloadLength;

    /// <summary>Writes one frame; <paramref name="destination"/> must hold <see cref="SizeOf"/> bytes. Returns the bytes written.</summary>
    public static int Write(Span<byte> destination, Opcode opcode, ReadOnlySpan<byte> payload, uint? mask = null, bool fin = true, bool rsv1 = false)
    {
        var header = FrameHeader.Write(destination, opcode, payload.Length, fin, rsv1, mask);
        var body = destination.Slice(header, payload.Length);
        payload.CopyTo(body);
        if (mask is { } key)
        {
            Masking.Apply(body, key, 0);
        }
        return header + payload.Length;
    }

    /// <summary>Writes a close frame with a code and a reason cut to fit (123 bytes, on a UTF-8 boundary). Returns the bytes written.</summary>
    public static int WriteClose(Span<byte> destination, int code, string? reason, uint? mask = null)
    {
        Span<byte> payload = stackalloc byte[2 + CloseCodes.MaxReasonBytes];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        var reasonLength = FitReason(reason ?? "", payload[2..]);
        return Write(destination, Opcode.Close, payload[..(2 + reasonLength)], mask);
    }

    /// <summary>The most a close frame written by <see cref="WriteClose"/> takes.</summary>
    public const int MaxCloseFrame = FrameHeader.MaxLength + 2 + CloseCodes.MaxReasonBytes;

    private static int FitReason(string reason, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetByteCount(reason);
        if (length <= destination.Length)
        {
            return Encoding.UTF8.GetBytes(reason, destination);
        }
        // Cut on a character boundary so the reason stays valid UTF-8.
        var encoder = Encoding.UTF8.GetEncoder();
        encoder.Convert(reason, destination, flush: true, out _, out var written, out _);
        return written;
    }
}
