namespace WssKit.Protocol.Compression;

/// <summary>One zlib inflate stream reading RFC 7692 message payloads, with a bound on what a message may inflate to.</summary>
internal sealed unsafe class Inflater : IDisposable
{
    private Zlib.ZStream* _stream;

    /// <summary>An inflater with the largest window (15 bits), which reads data made with any smaller window too.</summary>
    public Inflater()
    {
        _stream = Zlib.Allocate();
        if (Zlib.InflateInit(_stream, 15) != Zlib.Ok)
        {
            Zlib.Release(_stream);
            throw new InvalidOperationException("zlib refused to start an inflate stream");
        }
    }

    /// <summary>Inflates one message (its payload without 00 00 FF FF, which is added back here).</summary>
    public DecompressStatus Decompress(ReadOnlySpan<byte> compressed, ref PooledBuffer output, long maxSize, bool reset)
    {
        output.Clear();
        try
        {
            var status = Feed(compressed, ref output, maxSize);
            return status == DecompressStatus.Done ? Feed(Deflater.SyncTail, ref output, maxSize) : status;
        }
        finally
        {
            if (reset)
            {
                Zlib.InflateReset(_stream);
            }
        }
    }

    private DecompressStatus Feed(ReadOnlySpan<byte> input, ref PooledBuffer output, long maxSize)
    {
        fixed (byte* source = input)
        {
            _stream->NextIn = source;
            _stream->AvailIn = (uint)input.Length;
            try
            {
                while (true)
                {
                    var room = output.GetSpan((int)Math.Min(Math.Max(4096, input.Length * 4L), maxSize - output.Length + 1));
                    int status;
                    fixed (byte* destination = room)
                    {
                        _stream->NextOut = destination;
                        _stream->AvailOut = (uint)room.Length;
                        status = Zlib.Inflate(_stream, Zlib.NoFlush);
                        output.Advance(room.Length - (int)_stream->AvailOut);
                    }
                    if (output.Length > maxSize)
                    {
                        return DecompressStatus.TooBig;
                    }
                    if (status == Zlib.StreamEnd)
                    {
                        // A final block ended the stream: a peer may do that; start afresh for the next message.
                        Zlib.InflateReset(_stream);
                        return _stream->AvailIn == 0 ? DecompressStatus.Done : DecompressStatus.Corrupt;
                    }
                    if (status != Zlib.Ok && status != Zlib.BufError)
                    {
                        return DecompressStatus.Corrupt;
                    }
                    if (_stream->AvailIn == 0 && _stream->AvailOut > 0)
                    {
                        return DecompressStatus.Done;
                    }
                    if (status == Zlib.BufError && _stream->AvailOut > 0)
                    {
                        return DecompressStatus.Corrupt;
                    }
                }
            }
            finally
            {
                _stream->NextIn = null;
                _stream->NextOut = null;
            }
        }
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            Zlib.InflateEnd(_stream);
            Zlib.Release(_stream);
            _stream = null;
        }
        GC.SuppressFinalize(this);
    }

    ~Inflater() => Dispose();
}
