using System.Text;
using WssKit.Protocol;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

/// <summary>The receiving rules of RFC 6455 §5, one at a time, with the close code each breach earns.</summary>
public sealed class MessageReaderTests
{
    [Fact]
    public void Read_Rfc6455MaskedHello_TextMessage()
    {
        var item = Assert.Single(Wire.Read([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]));
        Assert.Equal(ReadKind.Text, item.Kind);
        Assert.Equal("Hello", item.Text);
    }

    [Fact]
    public void Read_Rfc6455UnmaskedHelloAsClient_TextMessage()
    {
        var item = Assert.Single(Wire.Read([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], Role.Client));
        Assert.Equal("Hello", item.Text);
    }

    [Fact]
    public void Read_Rfc6455FragmentedHello_OneMessage()
    {
        var item = Assert.Single(Wire.Read([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f], Role.Client));
        Assert.Equal("Hello", item.Text);
    }

    [Fact]
    public void Read_PingBetweenFragments_PingFirstThenTheWholeMessage()
    {
        var stream = Wire.Concat(Wire.Text("Hel", fin: false), Wire.Frame(Opcode.Ping, "are you there"u8), Wire.Frame(Opcode.Continuation, "lo"u8));

        var items = Wire.Read(stream);

        Assert.Equal([ReadKind.Ping, ReadKind.Text], items.Select(item => item.Kind));
        Assert.Equal("are you there", items[0].Text);
        Assert.Equal("Hello", items[1].Text);
    }

    [Fact]
    public void Read_ManyMessagesInOneRead_AllOfThemInOrder()
    {
        var stream = Wire.Concat([.. Enumerable.Range(0, 100).Select(i => Wire.Text($"message {i}"))]);

        var items = Wire.Read(stream);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"message {i}"), items.Select(item => item.Text));
    }

    [Fact]
    public void Read_UnmaskedFrameAsServer_ProtocolError()
        => AssertFails(Wire.Text("hi", masked: false), CloseCodes.ProtocolError, "not masked");

    [Fact]
    public void Read_MaskedFrameAsClient_ProtocolError()
        => AssertFails(Wire.Text("hi"), CloseCodes.ProtocolError, "masked", Role.Client);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    public void Read_ReservedBitsWithoutAnExtension_ProtocolError(int rsv)
        => AssertFails(Wire.Frame(Opcode.Text, "hi"u8, rsv: rsv), CloseCodes.ProtocolError, "RSV");

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(0xB)]
    [InlineData(0xF)]
    public void Read_ReservedOpcode_ProtocolError(int opcode)
        => AssertFails(Wire.Frame((Opcode)opcode, "hi"u8), CloseCodes.ProtocolError, "reserved");

    [Fact]
    public void Read_FragmentedPing_ProtocolError()
        => AssertFails(Wire.Frame(Opcode.Ping, "hi"u8, fin: false), CloseCodes.ProtocolError, "control frame is fragmented");

    [Fact]
    public void Read_PingLongerThan125Bytes_ProtocolError()
        => AssertFails(Wire.Frame(Opcode.Ping, new byte[126]), CloseCodes.ProtocolError, "longer than 125");

    [Fact]
    public void Read_ContinuationWithNothingToContinue_ProtocolError()
        => AssertFails(Wire.Frame(Opcode.Continuation, "hi"u8), CloseCodes.ProtocolError, "no message to continue");

    [Fact]
    public void Read_NewMessageBeforeTheFragmentedOneEnds_ProtocolError()
        => AssertFails(Wire.Concat(Wire.Text("a", fin: false), Wire.Text("b")), CloseCodes.ProtocolError, "before the fragmented one ended");

    [Fact]
    public void Read_LengthWithTheTopBitSet_ProtocolError()
        => AssertFails([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], CloseCodes.ProtocolError, "most significant bit");

    [Fact]
    public void Read_InvalidUtf8_InvalidPayload()
        => AssertFails(Wire.Frame(Opcode.Text, [0x48, 0xC3, 0x28]), CloseCodes.InvalidPayload, "not valid UTF-8");

    [Fact]
    public void Read_InvalidUtf8InTheFirstFragment_FailsBeforeTheMessageEnds()
    {
        // Only the first fragment has arrived: the reader must not wait for the rest to fail.
        var items = Wire.Read(Wire.Frame(Opcode.Text, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xED, 0xA0, 0x80], fin: false));
        Assert.Equal(CloseCodes.InvalidPayload, Assert.Single(items).Code);
    }

    [Fact]
    public void Read_InvalidUtf8InTheMiddleOfAFrameStillArriving_FailsAtOnce()
    {
        var frame = Wire.Frame(Opcode.Text, [.. "hello"u8.ToArray(), 0xF4, 0x90, 0x80, 0x80, .. "world"u8.ToArray()]);
        // The transport delivers the header and 8 payload bytes; the invalid sequence is among them.
        var items = Wire.Read(frame, pieceSizes: [6 + 8, 1000]);
        Assert.Equal(CloseCodes.InvalidPayload, Assert.Single(items).Code);
    }

    [Fact]
    public void Read_Utf8SequenceSplitAcrossFragments_IsValid()
    {
        var euro = "€"u8.ToArray();
        var stream = Wire.Concat(Wire.Frame(Opcode.Text, euro[..1], fin: false), Wire.Frame(Opcode.Continuation, euro[1..2], fin: false), Wire.Frame(Opcode.Continuation, euro[2..]));
        Assert.Equal("€", Assert.Single(Wire.Read(stream)).Text);
    }

    [Fact]
    public void Read_TextEndingInsideASequence_InvalidPayload()
        => AssertFails(Wire.Frame(Opcode.Text, "€"u8[..2]), CloseCodes.InvalidPayload, "middle of a UTF-8 sequence");

    [Fact]
    public void Read_DeclaredLengthOverTheLimit_MessageTooBigBeforeThePayloadArrives()
    {
        // Only the header of a 1 GiB frame: the reader refuses it without waiting for (or buffering) anything.
        var header = new byte[FrameHeader.MaxLength];
        var size = FrameHeader.Write(header, Opcode.Binary, 1L << 30, mask: Wire.Key);
        var items = Wire.Read(header[..size], maxMessageSize: 1 << 20);
        Assert.Equal(CloseCodes.MessageTooBig, Assert.Single(items).Code);
        Assert.Contains("1MiB", items[0].Reason);
    }

    [Fact]
    public void Read_FragmentsAddingUpOverTheLimit_MessageTooBig()
    {
        var stream = Wire.Concat(Wire.Frame(Opcode.Binary, new byte[600], fin: false), Wire.Frame(Opcode.Continuation, new byte[600]));
        AssertFails(stream, CloseCodes.MessageTooBig, "too big", maxMessageSize: 1000);
    }

    [Fact]
    public void Read_MessageExactlyAtTheLimit_Accepted()
        => Assert.Equal(1000, Assert.Single(Wire.Read(Wire.Frame(Opcode.Binary, new byte[1000]), maxMessageSize: 1000)).Payload.Length);

    [Fact]
    public void Read_CloseWithCodeAndReason_ReportsBoth()
    {
        var item = Assert.Single(Wire.Read(Wire.Close(1001, "bye ✓")));
        Assert.Equal(ReadKind.Close, item.Kind);
        Assert.Equal(1001, item.Code);
        Assert.Equal("bye ✓", item.Reason);
    }

    [Fact]
    public void Read_EmptyClose_NoStatus1005()
        => Assert.Equal(CloseCodes.NoStatus, Assert.Single(Wire.Read(Wire.Frame(Opcode.Close, []))).Code);

    [Fact]
    public void Read_CloseWithOneByte_ProtocolError()
        => AssertFails(Wire.Frame(Opcode.Close, [0x03]), CloseCodes.ProtocolError, "1-byte");

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1100)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Read_CloseCodeThatMayNotBeSent_ProtocolError(int code)
        => AssertFails(Wire.Close(code), CloseCodes.ProtocolError, $"close code {code}");

    [Theory]
    [InlineData(1000)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1011)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(4999)]
    public void Read_CloseCodeThatMayBeSent_Close(int code)
        => Assert.Equal(code, Assert.Single(Wire.Read(Wire.Close(code))).Code);

    [Fact]
    public void Read_CloseReasonNotUtf8_InvalidPayload()
        => AssertFails(Wire.Frame(Opcode.Close, [0x03, 0xE8, 0xFF, 0xFE]), CloseCodes.InvalidPayload, "close reason");

    [Fact]
    public void Read_AfterClose_NothingMore()
    {
        var items = Wire.Read(Wire.Concat(Wire.Close(1000), Wire.Text("too late")));
        Assert.Equal(ReadKind.Close, Assert.Single(items).Kind);
    }

    [Fact]
    public void Read_LargeMessageInSmallPieces_WholeMessageAndNoBufferLeftAfterwards()
    {
        var payload = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var frame = Wire.Frame(Opcode.Binary, payload);
        using var reader = new MessageReader(Role.Server, new ProtocolLimits());
        var buffer = new List<byte>();
        byte[]? received = null;
        for (var position = 0; position < frame.Length; position += 1000)
        {
            buffer.AddRange(frame.Skip(position).Take(1000));
            var span = buffer.ToArray();
            var item = reader.Read(span, out var used);
            if (item.Kind == ReadKind.Binary)
            {
                received = item.Payload.ToArray();
            }
            buffer = [.. span[used..]];
        }
        Assert.Equal(payload, received);
        Assert.True(reader.HoldsMemory, "the message is handed out of the reader's buffer until the next read");
        reader.Read([], out _);
        Assert.False(reader.HoldsMemory);
    }

    [Fact]
    public void Read_MessageInRecordSizedPieces_BufferTakesTheRestOfTheFrameAtOnce()
    {
        // A 64 KiB message arriving in 16 KiB records: once a quarter is here, the buffer is sized for all of it
        // (doubling from the first piece would copy the message again at 32 and 64 KiB).
        var frame = Wire.Frame(Opcode.Binary, Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 7)).ToArray());
        using var reader = new MessageReader(Role.Server, new ProtocolLimits());
        var capacities = new List<int>();
        ReadItem last = default;
        for (var position = 0; position < frame.Length; position += 16 * 1024)
        {
            last = reader.Read(frame.AsSpan(position, Math.Min(16 * 1024, frame.Length - position)), out _);
            capacities.Add(reader.MessageCapacity);
        }
        Assert.Equal(ReadKind.Binary, last.Kind);
        Assert.Equal(64 * 1024, last.Payload.Length);
        Assert.All(capacities, capacity => Assert.Equal(capacities[0], capacity));
        Assert.InRange(capacities[0], 64 * 1024, 128 * 1024 - 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(16 * 1024)]
    public void ReadInPlace_RestOfAMaskedFrameWrittenIntoTheTarget_SameMessageAsRead(int piece)
    {
        // The first record through Read; every later byte (masked, as it came) written by the transport into the target.
        var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 6000).Select(i => $"é{i % 10}ü")));
        var frame = Wire.Frame(Opcode.Text, payload);
        using var reader = new MessageReader(Role.Server, new ProtocolLimits());
        var first = 16 * 1024;
        Assert.Equal(ReadKind.NeedMore, reader.Read(frame.AsSpan(0, first), out var used).Kind);
        Assert.Equal(first, used);

        ReadItem item = default;
        string? text = null;
        for (var position = first; position < frame.Length; position += piece)
        {
            var target = reader.InPlaceTarget;
            Assert.Equal(frame.Length - position, target.Length); // sized for the rest of the frame
            var count = Math.Min(piece, frame.Length - position);
            frame.AsSpan(position, count).CopyTo(target.Span);
            item = reader.ReadInPlace(count);
            text = item.Kind == ReadKind.Text ? Encoding.UTF8.GetString(item.Payload) : null;
        }

        Assert.Equal(ReadKind.Text, item.Kind);
        Assert.Equal(Encoding.UTF8.GetString(payload), text);
        Assert.True(reader.InPlaceTarget.IsEmpty, "no frame is partly received");
    }

    [Fact]
    public void ReadInPlace_InvalidUtf8InTheRest_FailsWith1007()
    {
        var payload = Enumerable.Repeat((byte)'a', 40_000).ToArray();
        payload[30_000] = 0xFF;
        var frame = Wire.Frame(Opcode.Text, payload);
        using var reader = new MessageReader(Role.Server, new ProtocolLimits());
        reader.Read(frame.AsSpan(0, 16 * 1024), out _);

        var target = reader.InPlaceTarget;
        frame.AsSpan(16 * 1024).CopyTo(target.Span);
        var item = reader.ReadInPlace(target.Length);

        Assert.Equal(ReadKind.Error, item.Kind);
        Assert.Equal(CloseCodes.InvalidPayload, item.CloseCode);
        Assert.True(reader.InPlaceTarget.IsEmpty, "nothing is read after a failure");
    }

    [Fact]
    public void InPlaceTarget_BetweenFramesOrBeforeAnyPayload_Empty()
    {
        using var reader = new MessageReader(Role.Server, new ProtocolLimits { MaxMessageSize = 2 << 20 });
        Assert.True(reader.InPlaceTarget.IsEmpty);

        // A header alone: no payload gathered, no buffer yet.
        var frame = Wire.Frame(Opcode.Binary, new byte[1 << 20]);
        reader.Read(frame.AsSpan(0, 14), out _);
        Assert.True(reader.InPlaceTarget.IsEmpty);

        // 100 bytes of a declared 1 MiB: the buffer is small, and offered only when it has room for a good piece.
        reader.Read(frame.AsSpan(14, 100), out _);
        Assert.True(reader.InPlaceTarget.IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadInPlace(1));
    }

    [Fact]
    public void Read_HugeDeclaredLengthWithFewBytes_BufferSizedByWhatArrived()
    {
        // A peer that declares a 1 MiB frame and sends 100 bytes of it gets no more than a small buffer.
        var frame = Wire.Frame(Opcode.Binary, new byte[1 << 20]);
        using var reader = new MessageReader(Role.Server, new ProtocolLimits { MaxMessageSize = 2 << 20 });

        var item = reader.Read(frame.AsSpan(0, 114), out var used);

        Assert.Equal(ReadKind.NeedMore, item.Kind);
        Assert.Equal(114, used);
        Assert.InRange(reader.MessageCapacity, 100, 1024);
    }

    private static void AssertFails(byte[] stream, int code, string reasonPart, Role role = Role.Server, long maxMessageSize = 1 << 20)
    {
        var items = Wire.Read(stream, role, maxMessageSize);
        var last = items.Last();
        Assert.Equal(ReadKind.Error, last.Kind);
        Assert.Equal(code, last.Code);
        Assert.Contains(reasonPart, last.Reason);
    }
}
