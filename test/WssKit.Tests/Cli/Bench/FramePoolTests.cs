using WssKit.Cli.Bench;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Cli.Bench;

public sealed class FramePoolTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(200)]
    [InlineData(70_000)]
    public void Slice_AnyStartAndCount_ContiguousMaskedFramesThatUnmaskToThePayload(int size)
    {
        var pool = new FramePool(size, binary: size > 100, maxBatch: 16);
        var cursor = pool.Frames - 3;
        var keys = new HashSet<uint>();

        var slice = pool.Slice(ref cursor, 20, out var taken).ToArray();

        Assert.Equal(Math.Min(16, pool.MaxBatch), taken);
        Assert.Equal(taken * pool.FrameLength, slice.Length);
        for (var offset = 0; offset < slice.Length; offset += pool.FrameLength)
        {
            Assert.True(FrameHeader.TryRead(slice.AsSpan(offset), out var header));
            Assert.True(header.Masked && header.Fin);
            Assert.Equal(size > 100 ? Opcode.Binary : Opcode.Text, header.Opcode);
            Assert.Equal(size, header.PayloadLength);
            var body = slice.AsSpan(offset + header.Length, size).ToArray();
            Masking.Apply(body, header.MaskKey, 0);
            Assert.Equal(pool.Payload, body);
            keys.Add(header.MaskKey);
        }
        Assert.Equal((pool.Frames - 3 + taken) % pool.Frames, cursor);
        if (pool.Frames >= taken)
        {
            Assert.True(keys.Count > 1, "every frame has the same masking key");
        }
    }
}
