using System.Text;
using BenchmarkDotNet.Attributes;
using WssKit.Protocol;
using WssKit.Protocol.Framing;

namespace WssKit.Benchmarks;

/// <summary>
/// The engine's per-message work, each measured per message and with allocations: parsing a read that holds many
/// masked client frames (unmasking and UTF-8 checking included), masking, and writing frames.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private const int MessagesPerRead = 64;
    private byte[] _read = null!;
    private byte[] _pristine = null!;
    private byte[] _payload = null!;
    private byte[] _output = null!;
    private MessageReader _reader = null!;

    [Params(32, 1024, 65536)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Encoding.ASCII.GetBytes(new string('x', Size));
        var frame = new byte[FrameWriter.SizeOf(Size, masked: true)];
        FrameWriter.Write(frame, Opcode.Text, _payload, mask: 0x5A5A1234);
        _pristine = [.. Enumerable.Repeat(frame, MessagesPerRead).SelectMany(bytes => bytes)];
        _read = new byte[_pristine.Length];
        _output = new byte[FrameWriter.SizeOf(Size, masked: true)];
        _reader = new MessageReader(Role.Server, new ProtocolLimits { MaxMessageSize = 1 << 20 });
    }

    /// <summary>One read of 64 frames parsed, unmasked in place and UTF-8 checked; reported per message.</summary>
    [Benchmark(OperationsPerInvoke = MessagesPerRead)]
    public int ParseRead()
    {
        // The parser unmasks in place: start each pass from the bytes as they came off the wire.
        _pristine.CopyTo(_read, 0);
        var input = _read.AsSpan();
        var total = 0;
        while (true)
        {
            var item = _reader.Read(input, out var used);
            input = input[used..];
            if (item.Kind == ReadKind.NeedMore)
            {
                return total;
            }
            total += item.Payload.Length;
        }
    }

    [Benchmark]
    public int Mask() => Masking.Apply(_payload, 0x5A5A1234, 1);

    [Benchmark]
    public int WriteServerFrame() => FrameWriter.Write(_output, Opcode.Text, _payload);

    [Benchmark]
    public int WriteClientFrame() => FrameWriter.Write(_output, Opcode.Text, _payload, mask: 0x5A5A1234);
}
