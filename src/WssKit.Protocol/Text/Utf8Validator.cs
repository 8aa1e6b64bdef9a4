using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Unicode;

namespace WssKit.Protocol.Text;

/// <summary>
/// Validates UTF-8 that arrives in pieces (frames, fragments, reads), failing at the first byte that cannot start
/// or continue a valid sequence, not at the end of the message. Whole code points go through the vectorised
/// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>; only a sequence split across pieces is stepped byte by byte.
/// </summary>
public struct Utf8Validator
{
    // The state between pieces: how many continuation bytes are still due, and the range the next one must be in
    // (narrower than 80..BF after E0, ED, F0 and F4, which rules out overlongs, surrogates and values over U+10FFFF).
    private byte _remaining;
    private byte _lower;
    private byte _upper;

    /// <summary>Whether the bytes so far end on a code point boundary: a message may end here.</summary>
    public readonly bool IsComplete => _remaining == 0;

    /// <summary>Forgets any partial sequence, for the next message.</summary>
    public void Reset() => _remaining = 0;

    /// <summary>Checks the next piece; false as soon as it cannot be valid UTF-8, whatever follows.</summary>
    public bool Append(ReadOnlySpan<byte> piece)
    {
        var i = 0;
        // Finish a sequence the previous piece began.
        while (_remaining > 0 && i < piece.Length)
        {
            if (!Step(piece[i++]))
            {
                return false;
            }
        }
        if (i == piece.Length)
        {
            return true;
        }
        var rest = piece[i..];
        var boundary = LastBoundary(rest);
        if (!Utf8.IsValid(rest[..boundary]))
        {
            return false;
        }
        foreach (var b in rest[boundary..])
        {
            if (!Step(b))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is whole, valid UTF-8 (close reasons, single-frame messages).</summary>
    public static bool IsValid(ReadOnlySpan<byte> text) => IsShortAscii(text) || Utf8.IsValid(text);

    /// <summary>
    /// Whether a text of 8 to 64 bytes is all ASCII, in two overlapping loads: the usual short chat or ticker message,
    /// for which .NET's general routine spends more on getting started than on the bytes. False sends the text there.
    /// </summary>
    private static bool IsShortAscii(ReadOnlySpan<byte> text)
    {
        ref var start = ref MemoryMarshal.GetReference(text);
        var length = (nuint)text.Length;
        switch (length)
        {
            case >= 8 and < 16:
                var words = Unsafe.ReadUnaligned<ulong>(ref start) | Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, length - 8));
                return (words & 0x8080808080808080UL) == 0;
            case >= 16 and <= 32:
                return Vector128.ExtractMostSignificantBits(Vector128.LoadUnsafe(ref start) | Vector128.LoadUnsafe(ref start, length - 16)) == 0;
            case > 32 and <= 64 when Vector256.IsHardwareAccelerated:
                return Vector256.ExtractMostSignificantBits(Vector256.LoadUnsafe(ref start) | Vector256.LoadUnsafe(ref start, length - 32)) == 0;
            default:
                return false;
        }
    }

    /// <summary>Where the last sequence that is cut off by the end of <paramref name="bytes"/> starts (its length when none is).</summary>
    private static int LastBoundary(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        var start = end - 1;
        // Walk back over at most three continuation bytes to the byte that leads them.
        while (start >= 0 && end - start <= 3 && (bytes[start] & 0xC0) == 0x80)
        {
            start--;
        }
        if (start < 0)
        {
            return 0;
        }
        var lead = bytes[start];
        var needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return end - start < needed ? start : end;
    }

    private bool Step(byte b)
    {
        if (_remaining == 0)
        {
            (_remaining, _lower, _upper) = b switch
            {
                < 0x80 => ((byte)0, (byte)0, (byte)0),
                >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
                0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),
                0xED => ((byte)2, (byte)0x80, (byte)0x9F),
                >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
                0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),
                >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
                0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),
                _ => ((byte)0xFF, (byte)0, (byte)0),
            };
            return _remaining != 0xFF;
        }
        if (b < _lower || b > _upper)
        {
            return false;
        }
        _remaining--;
        (_lower, _upper) = ((byte)0x80, (byte)0xBF);
        return true;
    }
}
