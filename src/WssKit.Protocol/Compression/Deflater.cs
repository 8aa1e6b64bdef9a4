namespace WssKit.Protocol.Compression;

/// <summary>One zlib deflate stream producing RFC 7692 message payloads: raw DEFLATE, sync-flushed, without the trailing 00 00 FF FF.</summary>
internal sealed unsafe class Deflater : IDisposable
{
    private Zlib.ZStream* _stream;

    public Deflater(int windowBits)
    {
        WindowBits = windowBits;
        _stream = Zlib.Allocate();
        if (Zlib.DeflateInit(_stream, windowBits) != Zlib.Ok)
        {
            Zlib.Release(_stream);
            throw new InvalidOperationException($"zlib refused deflate with a {windowBits}-bit window");
        }
    }

    public int WindowBits { get; }

    /// <summary>Compresses one message into <paramref name="output"/>; with <paramref name="reset"/> the next message starts with an empty window.</summary>
    public void Compress(ReadOnlySpan<byte> message, ref PooledBuffer output, bool reset)
    {
        var start = output.Length;
        fixed (byte* input = message)
        {
            _stream->NextIn = input;
            _stream->AvailIn = (uint)message.Length;
            while (true)
            {
                var room = output.GetSpan(Math.Max(256, message.Length / 2 + 64));
                fixed (byte* destination = room)
                {
                    _stream->NextOut = destination;
                    _stream->AvailOut = (uint)room.Length;
                    var status = Zlib.Deflate(_stream, Zlib.SyncFlush);
                    if (status != Zlib.Ok && status != Zlib.BufError)
                    {
                        throw new InvalidOperationException($"zlib deflate failed with {status}");
                    }
                    output.Advance(room.Length - (int)_stream->AvailOut);
                    if (_stream->AvailIn == 0 && _stream->AvailOut > 0)
                    {
                        break;
                    }
                }
            }
            _stream->NextIn = null;
            _stream->NextOut = null;
        }
        // A sync flush ends with an empty stored block, 00 00 FF FF: RFC 7692 §7.2.1 says to leave it out.
        var written = output.Written[start..];
        if (written.Length >= 4 && written[^4..].SequenceEqual(SyncTail))
        {
            output.Truncate(output.Length - 4);
        }
        if (reset)
        {
            Zlib.DeflateReset(_stream);
        }
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            Zlib.DeflateEnd(_stream);
            Zlib.Release(_stream);
            _stream = null;
        }
        GC.SuppressFinalize(this);
    }

    ~Deflater() => Dispose();

    internal static ReadOnlySpan<byte> SyncTail => [0x00, 0x00, 0xFF, 0xFF];
}
