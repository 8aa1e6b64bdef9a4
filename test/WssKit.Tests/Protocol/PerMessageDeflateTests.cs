using WssKit.Protocol;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

public sealed class PerMessageDeflateTests
{
    [Theory]
    [InlineData("permessage-deflate", "permessage-deflate; server_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; client_max_window_bits", "permessage-deflate; server_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=10", "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")]
    [InlineData("permessage-deflate; server_max_window_bits=\"12\"; client_no_context_takeover", "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12")]
    [InlineData("x-webkit-deflate-frame, permessage-deflate", "permessage-deflate; server_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=8, permessage-deflate", "permessage-deflate; server_no_context_takeover; client_no_context_takeover")]
    public void TryAccept_AcceptableOffer_AnswersWithNoContextTakeoverBothWays(string offer, string answer)
    {
        Assert.True(PerMessageDeflate.TryAccept([offer], out var accepted));
        Assert.Equal(answer, accepted.ToHeader());
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=8")]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; client_max_window_bits=7")]
    [InlineData("permessage-deflate; no_such_parameter")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("")]
    public void TryAccept_NoAcceptableOffer_Declined(string offer)
        => Assert.False(PerMessageDeflate.TryAccept([offer], out _));

    [Theory]
    [InlineData("permessage-deflate", true)]
    [InlineData("permessage-deflate; client_max_window_bits=10; server_no_context_takeover", true)]
    [InlineData("permessage-deflate; client_max_window_bits", false)]
    [InlineData("permessage-deflate, permessage-deflate", false)]
    public void ParseResponse_ServerAnswer_AcceptedOnlyWhenValidForAClient(string answer, bool valid)
        => Assert.Equal(valid, PerMessageDeflate.ParseResponse(answer) is not null);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CompressThenDecompress_ManyMessages_SameBytesWithAndWithoutContextTakeover(bool noContextTakeover)
    {
        var parameters = new DeflateParameters(noContextTakeover, noContextTakeover, 12, 10);
        using var client = new MessageCompression(parameters, Role.Client);
        using var server = new MessageCompression(parameters, Role.Server);
        var random = new Random(5);
        for (var i = 0; i < 50; i++)
        {
            var message = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(0, 400)).Select(n => $"word{n % 17} ")));
            var compressed = new PooledBuffer();
            var decompressed = new PooledBuffer();
            client.Compress(message, ref compressed);
            Assert.Equal(DecompressStatus.Done, server.Decompress(compressed.Written, ref decompressed, 1 << 20));
            Assert.Equal(message, decompressed.Written.ToArray());
            Assert.True(message.Length < 100 || compressed.Length < message.Length / 2, $"{message.Length} bytes compressed to {compressed.Length}");
            compressed.Release();
            decompressed.Release();
        }
    }

    [Fact]
    public void Decompress_BombOverTheLimit_TooBigWithoutInflatingItAll()
    {
        using var sender = new MessageCompression(new DeflateParameters(true, true), Role.Client);
        using var receiver = new MessageCompression(new DeflateParameters(true, true), Role.Server);
        var bomb = new PooledBuffer();
        sender.Compress(new byte[64 << 20], ref bomb); // 64 MiB of zeros: about 64 KiB compressed
        var output = new PooledBuffer();

        var status = receiver.Decompress(bomb.Written, ref output, 1 << 20);

        Assert.Equal(DecompressStatus.TooBig, status);
        Assert.True(output.Length <= 4 << 20, $"{output.Length} bytes were inflated before stopping");
        bomb.Release();
        output.Release();
    }

    [Fact]
    public void Decompress_NotDeflate_Corrupt()
    {
        using var receiver = new MessageCompression(new DeflateParameters(true, true), Role.Server);
        var output = new PooledBuffer();
        Assert.Equal(DecompressStatus.Corrupt, receiver.Decompress([0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x12], ref output, 1 << 20));
        output.Release();
    }

    [Fact]
    public void Read_CompressedFragmentedMessage_DecompressedWhole()
    {
        var parameters = new DeflateParameters(true, true);
        using var client = new MessageCompression(parameters, Role.Client);
        var compressed = new PooledBuffer();
        var text = string.Concat(Enumerable.Repeat("compressible text ", 200));
        client.Compress(System.Text.Encoding.UTF8.GetBytes(text), ref compressed);
        var bytes = compressed.Written.ToArray();
        compressed.Release();
        // RSV1 on the first frame only, as RFC 7692 §6.1 requires.
        var stream = Wire.Concat(Wire.Frame(Opcode.Text, bytes[..10], fin: false, rsv: 4), Wire.Frame(Opcode.Continuation, bytes[10..]));

        using var reader = new MessageReader(Role.Server, new ProtocolLimits(), new MessageCompression(parameters, Role.Server));
        var item = reader.Read(stream, out _);

        Assert.Equal(ReadKind.Text, item.Kind);
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(item.Payload));
    }
}
