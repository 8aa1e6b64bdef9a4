using WssKit.Cli.Bench;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Cli.Bench;

public sealed class EchoScannerTests
{
    private static readonly byte[] Payload = "0123456789abcdefghijklmnopqrstuv"u8.ToArray();

    private static byte[] ServerFrame(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true)
    {
        var frame = new byte[FrameWriter.SizeOf(payload.Length, masked: false)];
        FrameWriter.Write(frame, opcode, payload, mask: null, fin: fin);
        return frame;
    }

    [Fact]
    public void Feed_EchoesSplitAtEveryByte_CountsEachMessageOnce()
    {
        var stream = Enumerable.Range(0, 3).SelectMany(_ => ServerFrame(Opcode.Text, Payload)).ToArray();
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var scanner = new EchoScanner(Payload, binary: false);

            var messages = scanner.Feed(stream.AsSpan(0, cut)) + scanner.Feed(stream.AsSpan(cut));

            Assert.Equal(3, messages);
            Assert.Equal(0, scanner.Corrupted);
        }
    }

    [Fact]
    public void Feed_OneByteAtATime_LongMessageWithExtendedLength()
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var scanner = new EchoScanner(payload, binary: true);
        var stream = ServerFrame(Opcode.Binary, payload).Concat(ServerFrame(Opcode.Binary, payload)).ToArray();

        var messages = stream.Sum(b => scanner.Feed([b]));

        Assert.Equal(2, messages);
        Assert.Equal(0, scanner.Corrupted);
    }

    [Fact]
    public void Feed_FragmentedEcho_CountsOneIntactMessage()
    {
        var scanner = new EchoScanner(Payload, binary: false);
        var stream = ServerFrame(Opcode.Text, Payload.AsSpan(0, 10), fin: false).Concat(ServerFrame(Opcode.Continuation, Payload.AsSpan(10))).ToArray();

        Assert.Equal(1, scanner.Feed(stream));
        Assert.Equal(0, scanner.Corrupted);
    }

    [Theory]
    [InlineData("changed byte")]
    [InlineData("shorter")]
    [InlineData("longer")]
    [InlineData("other type")]
    public void Feed_EchoDiffersFromWhatWasSent_CountsItCorrupted(string change)
    {
        var scanner = new EchoScanner(Payload, binary: false);
        var echo = change switch
        {
            "changed byte" => ServerFrame(Opcode.Text, [.. Payload[..31], (byte)'!']),
            "shorter" => ServerFrame(Opcode.Text, Payload.AsSpan(0, 31)),
            "longer" => ServerFrame(Opcode.Text, [.. Payload, (byte)'x']),
            _ => ServerFrame(Opcode.Binary, Payload),
        };

        var messages = scanner.Feed([.. echo, .. ServerFrame(Opcode.Text, Payload)]);

        Assert.Equal(2, messages);
        Assert.Equal(1, scanner.Corrupted);
    }

    [Fact]
    public void Feed_Ping_QueuesMaskedPongWithItsPayload()
    {
        var scanner = new EchoScanner(Payload, binary: false);

        scanner.Feed(ServerFrame(Opcode.Ping, "hi"u8));

        Assert.True(scanner.HasControlToSend);
        var pong = scanner.ControlToSend.ToArray();
        Assert.True(FrameHeader.TryRead(pong, out var header));
        Assert.Equal(Opcode.Pong, header.Opcode);
        Assert.True(header.Masked);
        var body = pong[header.Length..];
        Masking.Apply(body, header.MaskKey, 0);
        Assert.Equal("hi"u8.ToArray(), body);
        scanner.ControlSent();
        Assert.False(scanner.HasControlToSend);
    }

    [Fact]
    public void Feed_ServerClose_StopsReadingAndAnswersWithTheSameCode()
    {
        var scanner = new EchoScanner(Payload, binary: false);

        var messages = scanner.Feed([.. ServerFrame(Opcode.Close, [0x03, 0xE9]), .. ServerFrame(Opcode.Text, Payload)]);

        Assert.Equal(0, messages);
        Assert.True(scanner.CloseReceived);
        Assert.Equal(1001, scanner.CloseCode);
        var reply = scanner.ControlToSend.ToArray();
        Assert.True(FrameHeader.TryRead(reply, out var header));
        Assert.Equal(Opcode.Close, header.Opcode);
        var body = reply[header.Length..];
        Masking.Apply(body, header.MaskKey, 0);
        Assert.Equal(new byte[] { 0x03, 0xE9 }, body);
    }

    [Fact]
    public void Feed_CloseAfterOurs_NoSecondCloseQueued()
    {
        var scanner = new EchoScanner(Payload, binary: false);
        scanner.QueueClose(CloseCodes.NormalClosure);
        scanner.ControlSent();

        scanner.Feed(ServerFrame(Opcode.Close, [0x03, 0xE8]));

        Assert.True(scanner.CloseReceived);
        Assert.False(scanner.HasControlToSend);
    }

    [Fact]
    public void Feed_MaskedServerFrame_ProtocolError()
    {
        var scanner = new EchoScanner(Payload, binary: false);
        var frame = new byte[FrameWriter.SizeOf(Payload.Length, masked: true)];
        FrameWriter.Write(frame, Opcode.Text, Payload, mask: 0x01020304);

        Assert.Equal(0, scanner.Feed(frame));
        Assert.Equal("the server masked a frame", scanner.ProtocolError);
    }

    [Fact]
    public void Feed_ReservedLengthBit_ProtocolErrorNotException()
    {
        var scanner = new EchoScanner(Payload, binary: false);

        scanner.Feed([0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 0]);

        Assert.StartsWith("the server sent a bad frame header", scanner.ProtocolError);
    }
}
