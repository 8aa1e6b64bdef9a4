using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

public sealed class FrameHeaderTests
{
    [Fact]
    public void TryRead_Rfc6455UnmaskedHello_TextFinFiveBytes()
    {
        Assert.True(FrameHeader.TryRead([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], out var header));
        Assert.Equal(new FrameHeader(true, false, false, false, Opcode.Text, false, 0, 5, 2), header);
    }

    [Fact]
    public void TryRead_Rfc6455MaskedHello_CarriesTheKey()
    {
        Assert.True(FrameHeader.TryRead([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f], out var header));
        Assert.True(header.Masked);
        Assert.Equal(Masking.KeyFrom([0x37, 0xfa, 0x21, 0x3d]), header.MaskKey);
        Assert.Equal(6, header.Length);
    }

    [Fact]
    public void TryRead_Rfc6455FragmentedHello_FirstWithoutFinThenContinuation()
    {
        Assert.True(FrameHeader.TryRead([0x01, 0x03, 0x48, 0x65, 0x6c], out var first));
        Assert.True(FrameHeader.TryRead([0x80, 0x02, 0x6c, 0x6f], out var second));
        Assert.False(first.Fin);
        Assert.Equal(Opcode.Text, first.Opcode);
        Assert.True(second.Fin);
        Assert.Equal(Opcode.Continuation, second.Opcode);
    }

    [Fact]
    public void TryRead_Rfc6455256ByteBinary_SixteenBitLength()
    {
        Assert.True(FrameHeader.TryRead([0x82, 0x7E, 0x01, 0x00], out var header));
        Assert.Equal(256, header.PayloadLength);
        Assert.Equal(4, header.Length);
    }

    [Fact]
    public void TryRead_Rfc645564KiBBinary_SixtyFourBitLength()
    {
        Assert.True(FrameHeader.TryRead([0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00], out var header));
        Assert.Equal(65536, header.PayloadLength);
        Assert.Equal(10, header.Length);
    }

    [Fact]
    public void TryRead_LengthWithTheTopBitSet_Throws()
    {
        Assert.Throws<InvalidFrameException>(() => FrameHeader.TryRead([0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], out _));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x81 })]
    [InlineData(new byte[] { 0x82, 0x7E, 0x01 })]
    [InlineData(new byte[] { 0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00 })]
    [InlineData(new byte[] { 0x81, 0x85, 0x37, 0xfa, 0x21 })]
    public void TryRead_PartOfAHeader_False(byte[] partial)
    {
        Assert.False(FrameHeader.TryRead(partial, out _));
    }

    [Theory]
    [InlineData(0, false, 2)]
    [InlineData(125, false, 2)]
    [InlineData(126, false, 4)]
    [InlineData(65535, true, 8)]
    [InlineData(65536, false, 10)]
    [InlineData(65536, true, 14)]
    public void Write_ThenRead_SameHeaderWithTheShortestEncoding(long length, bool masked, int size)
    {
        var buffer = new byte[FrameHeader.MaxLength];
        uint? mask = masked ? 0xA1B2C3D4 : null;

        var written = FrameHeader.Write(buffer, Opcode.Binary, length, fin: false, rsv1: true, mask: mask);

        Assert.Equal(size, written);
        Assert.Equal(size, FrameHeader.SizeFor(length, masked));
        Assert.True(FrameHeader.TryRead(buffer, out var header));
        Assert.Equal(new FrameHeader(false, true, false, false, Opcode.Binary, masked, mask ?? 0, length, size), header);
    }
}
