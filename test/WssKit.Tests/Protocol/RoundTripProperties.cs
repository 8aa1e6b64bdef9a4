using CsCheck;
using WssKit.Protocol;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

/// <summary>
/// Properties of writer and reader together: whatever messages are written (any sizes, fragmented or not, pings in
/// between, either role), and however the byte stream is cut into reads, the reader gives back the same messages.
/// </summary>
public sealed class RoundTripProperties
{
    private sealed record Message(bool Text, byte[] Payload, int Fragments, bool PingInside);

    private static readonly Gen<Message> Messages =
        from text in Gen.Bool
        from length in Gen.OneOf(Gen.Int[0, 130], Gen.Int[131, 70_000])
        from seed in Gen.Int
        from fragments in Gen.Int[1, 4]
        from ping in Gen.Bool
        select new Message(text, Payload(text, length, seed), fragments, ping);

    [Fact]
    public void WrittenMessages_ReadBackThroughArbitraryCuts_AreTheSame()
    {
        Gen.Select(Messages.List[1, 8], Gen.Int[1, 3000].List[1, 50], Gen.Bool).Sample((messages, cuts, asClient) =>
        {
            // The client masks what it writes and the server reads it; and the other way round.
            var writer = asClient ? Role.Client : Role.Server;
            var reader = asClient ? Role.Server : Role.Client;
            var stream = Encode(messages, writer);

            var items = Wire.Read(stream, reader, maxMessageSize: 1 << 20, pieceSizes: cuts);

            var read = items.Where(item => item.Kind is ReadKind.Text or ReadKind.Binary).ToList();
            Assert.Equal(messages.Count, read.Count);
            for (var i = 0; i < messages.Count; i++)
            {
                Assert.Equal(messages[i].Text ? ReadKind.Text : ReadKind.Binary, read[i].Kind);
                Assert.Equal(messages[i].Payload, read[i].Payload);
            }
            Assert.Equal(messages.Count(message => message.PingInside), items.Count(item => item.Kind == ReadKind.Ping));
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    private static byte[] Encode(IEnumerable<Message> messages, Role role)
    {
        var output = new List<byte>();
        var key = 0x12345678u;
        foreach (var message in messages)
        {
            var pieces = Split(message.Payload, message.Fragments);
            for (var i = 0; i < pieces.Count; i++)
            {
                var opcode = i == 0 ? (message.Text ? Opcode.Text : Opcode.Binary) : Opcode.Continuation;
                output.AddRange(Frame(opcode, pieces[i], fin: i == pieces.Count - 1, role, key++));
                if (message.PingInside && i == 0)
                {
                    output.AddRange(Frame(Opcode.Ping, "ping"u8.ToArray(), fin: true, role, key++));
                }
            }
        }
        return [.. output];
    }

    private static byte[] Frame(Opcode opcode, byte[] payload, bool fin, Role role, uint key)
    {
        var mask = role == Role.Client ? key : (uint?)null;
        var buffer = new byte[FrameWriter.SizeOf(payload.Length, mask is not null)];
        FrameWriter.Write(buffer, opcode, payload, mask, fin);
        return buffer;
    }

    private static List<byte[]> Split(byte[] payload, int fragments)
    {
        var pieces = new List<byte[]>();
        var size = Math.Max(1, payload.Length / fragments);
        for (var start = 0; start < payload.Length || pieces.Count == 0; start += size)
        {
            var end = pieces.Count == fragments - 1 ? payload.Length : Math.Min(payload.Length, start + size);
            pieces.Add(payload[start..end]);
            if (end == payload.Length)
            {
                break;
            }
        }
        return pieces;
    }

    /// <summary>Text payloads are valid UTF-8 (ASCII and a few multi-byte characters), binary ones any bytes.</summary>
    private static byte[] Payload(bool text, int length, int seed)
    {
        var random = new Random(seed);
        if (!text)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
        string[] alphabet = ["a", "Z", " ", "~", "é", "€", "😀"];
        var characters = new System.Text.StringBuilder();
        for (var bytes = 0; bytes < length;)
        {
            var next = random.Next(8) == 0 ? alphabet[random.Next(4, alphabet.Length)] : alphabet[random.Next(4)];
            characters.Append(next);
            bytes += System.Text.Encoding.UTF8.GetByteCount(next);
        }
        return System.Text.Encoding.UTF8.GetBytes(characters.ToString());
    }
}
