using System.Text;
using WssKit.Protocol.Framing;
using WssKit.Protocol.Handshake;

namespace WssKit.Tests.Protocol;

public sealed class FrameWriterTests
{
    [Fact]
    public void Write_ServerText_Rfc6455UnmaskedHello()
    {
        var buffer = new byte[7];
        Assert.Equal(7, FrameWriter.Write(buffer, Opcode.Text, "Hello"u8));
        Assert.Equal(new byte[] { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f }, buffer);
    }

    [Fact]
    public void Write_ClientText_Rfc6455MaskedHello()
    {
        var buffer = new byte[11];
        FrameWriter.Write(buffer, Opcode.Text, "Hello"u8, Masking.KeyFrom([0x37, 0xfa, 0x21, 0x3d]));
        Assert.Equal(new byte[] { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 }, buffer);
    }

    [Fact]
    public void WriteClose_LongReason_CutTo123BytesOnACharacterBoundary()
    {
        var buffer = new byte[FrameWriter.MaxCloseFrame];
        var reason = new string('€', 60); // 180 bytes of UTF-8

        var written = FrameWriter.WriteClose(buffer, 1008, reason);

        var item = Assert.Single(Wire.Read(buffer[..written], WssKit.Protocol.Role.Client));
        Assert.Equal(1008, item.Code);
        Assert.Equal(new string('€', 41), item.Reason); // 41 * 3 = 123 bytes
    }

    [Fact]
    public void AcceptFor_Rfc6455Example_KnownAnswer()
        => Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", HandshakeKeys.AcceptFor("dGhlIHNhbXBsZSBub25jZQ=="));

    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==", true)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==AAAA", false)]
    [InlineData("not base64 at all!!!!!!!", false)]
    [InlineData(null, false)]
    public void IsValidKey_Key_SixteenBytesInBase64Only(string? key, bool valid)
        => Assert.Equal(valid, HandshakeKeys.IsValidKey(key));

    [Fact]
    public void NewKey_Always_AValidKeyEachTimeDifferent()
    {
        var keys = Enumerable.Range(0, 10).Select(_ => HandshakeKeys.NewKey()).ToList();
        Assert.All(keys, key => Assert.True(HandshakeKeys.IsValidKey(key)));
        Assert.Equal(10, keys.Distinct().Count());
        Assert.All(keys, key => Assert.Equal(16, Convert.FromBase64String(key).Length));
        Assert.Equal(24, Encoding.ASCII.GetByteCount(keys[0]));
    }
}
