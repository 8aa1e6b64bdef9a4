using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace WssKit.Protocol.Framing;

/// <summary>
/// The XOR masking of RFC 6455 §5.3, in place, with the widest vectors the CPU has: the mask is applied 64, 32 or
/// 16 bytes at a time, then 8, then byte by byte.
/// </summary>
public static class Masking
{
    /// <summary>Masks (or unmasks: it is its own inverse) <paramref name="data"/> in place.</summary>
    /// <param name="data">The bytes to mask.</param>
    /// <param name="mask">The 4-byte masking key as it appears on the wire, read as a little-endian integer.</param>
    /// <param name="offset">How many payload bytes came before <paramref name="data"/>: the key is used from byte offset % 4.</param>
    /// <returns>The offset (modulo 4) after these bytes, for the next piece of the same payload.</returns>
    public static int Apply(Span<byte> data, uint mask, int offset)
    {
        if (data.IsEmpty)
        {
            return offset;
        }
        // Rotate the key so that its byte for data[0] comes first (little-endian order).
        var rotated = BitOperations.RotateRight(mask, (offset & 3) * 8);
        ref var start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
        {
            var key = Vector512.Create(rotated).AsByte();
            for (; i + (nuint)Vector512<byte>.Count <= length; i += (nuint)Vector512<byte>.Count)
            {
                (Vector512.LoadUnsafe(ref start, i) ^ key).StoreUnsafe(ref start, i);
            }
        }
        if (Vector256.IsHardwareAccelerated && length - i >= (nuint)Vector256<byte>.Count)
        {
            var key = Vector256.Create(rotated).AsByte();
            for (; i + (nuint)Vector256<byte>.Count <= length; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref start, i) ^ key).StoreUnsafe(ref start, i);
            }
        }
        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            var key = Vector128.Create(rotated).AsByte();
            for (; i + (nuint)Vector128<byte>.Count <= length; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref start, i) ^ key).StoreUnsafe(ref start, i);
            }
        }
        var wide = ((ulong)rotated << 32) | rotated;
        for (; i + 8 <= length; i += 8)
        {
            ref var at = ref Unsafe.Add(ref start, i);
            Unsafe.WriteUnaligned(ref at, Unsafe.ReadUnaligned<ulong>(ref at) ^ wide);
        }
        // Every block above is a multiple of 4 bytes long, so the key is still aligned here.
        for (var j = 0; i < length; i++, j++)
        {
            Unsafe.Add(ref start, i) ^= (byte)(rotated >> ((j & 3) * 8));
        }
        return (offset + data.Length) & 3;
    }

    /// <summary>The masking key as <see cref="Apply"/> takes it, from its 4 bytes on the wire.</summary>
    public static uint KeyFrom(ReadOnlySpan<byte> fourBytes) => BinaryPrimitives.ReadUInt32LittleEndian(fourBytes);
}
