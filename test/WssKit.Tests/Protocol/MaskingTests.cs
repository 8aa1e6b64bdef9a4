using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

public sealed class MaskingTests
{
    [Fact]
    public void Apply_Rfc6455Example_MasksHello()
    {
        // RFC 6455 §5.7: "Hello" masked with 37 fa 21 3d.
        var data = "Hello"u8.ToArray();
        Masking.Apply(data, Masking.KeyFrom([0x37, 0xfa, 0x21, 0x3d]), 0);
        Assert.Equal(new byte[] { 0x7f, 0x9f, 0x4d, 0x51, 0x58 }, data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Apply_AnyLengthAndOffset_MatchesTheByteByByteDefinition(int length)
    {
        var random = new Random(length);
        var key = new byte[4];
        for (var offset = 0; offset < 4; offset++)
        {
            random.NextBytes(key);
            var data = new byte[length];
            random.NextBytes(data);
            var expected = data.Select((b, i) => (byte)(b ^ key[(i + offset) % 4])).ToArray();

            var next = Masking.Apply(data, Masking.KeyFrom(key), offset);

            Assert.Equal(expected, data);
            Assert.Equal((offset + length) % 4, next);
        }
    }

    [Fact]
    public void Apply_PayloadInPieces_SameAsInOnePiece()
    {
        var random = new Random(7);
        var whole = new byte[300];
        random.NextBytes(whole);
        var pieces = (byte[])whole.Clone();
        var key = Masking.KeyFrom([1, 2, 3, 4]);

        Masking.Apply(whole, key, 0);
        var offset = 0;
        foreach (var (start, end) in new[] { (0, 3), (3, 70), (70, 71), (71, 300) })
        {
            offset = Masking.Apply(pieces.AsSpan(start, end - start), key, offset);
        }

        Assert.Equal(whole, pieces);
    }
}
