using WssKit.Protocol;
using WssKit.Protocol.Framing;

namespace WssKit.Tests.Protocol;

/// <summary>
/// The parser's fuzz target: any bytes at all, cut anywhere, only ever give messages, control frames or a
/// protocol error with a close code; never another exception, never a hang. WSS_FUZZ_SECONDS runs it longer.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly int[] CloseCodesOnError = [CloseCodes.ProtocolError, CloseCodes.InvalidPayload, CloseCodes.MessageTooBig];

    [Fact]
    public void Read_RandomAndMutatedInput_OnlyMessagesOrAProtocolError()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("WSS_FUZZ_SECONDS"), out var s) ? s : 2;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var random = new Random(20261126);
        var valid = Wire.Concat(Wire.Text("hello"), Wire.Frame(Opcode.Ping, "p"u8), Wire.Text("frag", fin: false),
            Wire.Frame(Opcode.Continuation, "ment"u8), Wire.Frame(Opcode.Binary, new byte[300]), Wire.Close(1000, "bye"));
        var runs = 0;
        while (DateTime.UtcNow < deadline || runs < 2000)
        {
            var input = runs % 2 == 0 ? Mutate(valid, random) : RandomBytes(random);
            foreach (var role in new[] { Role.Server, Role.Client })
            {
                var cuts = Enumerable.Range(0, 8).Select(_ => random.Next(1, 64)).ToArray();
                var items = Wire.Read(input, role, maxMessageSize: 4096, pieceSizes: cuts);
                foreach (var item in items.Where(item => item.Kind == ReadKind.Error))
                {
                    Assert.Contains(item.Code, CloseCodesOnError);
                    Assert.False(string.IsNullOrEmpty(item.Reason));
                }
            }
            runs++;
        }
        Assert.True(runs >= 2000);
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var copy = (byte[])valid.Clone();
        for (var flips = random.Next(1, 6); flips > 0; flips--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        return random.Next(4) == 0 ? copy[..random.Next(copy.Length)] : copy;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 512)];
        random.NextBytes(bytes);
        return bytes;
    }
}
