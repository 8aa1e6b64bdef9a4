using System.Security.Cryptography;
using WssKit.Protocol.Framing;

namespace WssKit.Cli.Bench;

/// <summary>
/// The messages a run sends, framed and masked once, before the run: a pool of identical payloads, each frame with
/// its own random masking key, laid end to end so that any run of up to <see cref="MaxBatch"/> frames from any
/// starting frame is one contiguous slice, written with one call.
/// </summary>
/// <remarks>
/// RFC 6455 wants a fresh unpredictable key per frame so that a hostile page cannot choose the bytes a proxy sees.
/// A load tool sends its own fixed payload, not attacker-chosen data, so reusing a pool of keys, rotated per
/// connection, costs nothing in safety and takes the masking and the random source off the hot path: a message
/// costs only its share of one TLS write, as in the rig's C load generator (which uses one key for a whole run).
/// </remarks>
internal sealed class FramePool
{
    private const int PoolBytes = 4 << 20;

    private readonly byte[] _frames;

    public FramePool(int size, bool binary, int maxBatch)
    {
        Binary = binary;
        Payload = new byte[size];
        for (var i = 0; i < size; i++)
        {
            Payload[i] = (byte)Pattern[i % Pattern.Length];
        }
        FrameLength = (int)FrameWriter.SizeOf(size, masked: true);
        // Enough distinct keys to vary them, within a few MiB however large the messages.
        Frames = Math.Clamp(PoolBytes / FrameLength, 1, 1024);
        MaxBatch = Math.Clamp(maxBatch, 1, Math.Max(1, PoolBytes / FrameLength));
        _frames = new byte[(long)(Frames + MaxBatch) * FrameLength];
        var keys = new byte[4 * Frames];
        RandomNumberGenerator.Fill(keys);
        var opcode = binary ? Opcode.Binary : Opcode.Text;
        for (var i = 0; i < Frames + MaxBatch; i++)
        {
            // The frames past the pool repeat its first ones, so a batch that starts near the end needs no second write.
            var key = Masking.KeyFrom(keys.AsSpan(i % Frames * 4, 4));
            FrameWriter.Write(_frames.AsSpan(i * FrameLength, FrameLength), opcode, Payload, key);
        }
    }

    /// <summary>What every message carries: printable ASCII, so valid as text too.</summary>
    public static ReadOnlySpan<byte> Pattern => "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"u8;

    /// <summary>The unmasked payload of every message, to check the echoes against.</summary>
    public byte[] Payload { get; }

    /// <summary>Whether the messages are binary (else text).</summary>
    public bool Binary { get; }

    /// <summary>The bytes of one framed message.</summary>
    public int FrameLength { get; }

    /// <summary>How many distinct frames (masking keys) the pool holds.</summary>
    public int Frames { get; }

    /// <summary>The most frames one <see cref="Slice"/> returns.</summary>
    public int MaxBatch { get; }

    /// <summary>
    /// Up to <paramref name="count"/> (at most <see cref="MaxBatch"/>) frames starting at <paramref name="cursor"/>,
    /// as one slice; moves the cursor past them and returns how many frames the slice holds.
    /// </summary>
    public ReadOnlyMemory<byte> Slice(ref int cursor, int count, out int taken)
    {
        taken = Math.Min(count, MaxBatch);
        var start = cursor;
        cursor = (cursor + taken) % Frames;
        return _frames.AsMemory(start * FrameLength, taken * FrameLength);
    }
}
