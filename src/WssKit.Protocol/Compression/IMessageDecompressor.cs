namespace WssKit.Protocol.Compression;

/// <summary>How a compressed message came out.</summary>
public enum DecompressStatus
{
    /// <summary>The whole message is in the output.</summary>
    Done,
    /// <summary>The message would be larger than allowed (a decompression bomb stops here).</summary>
    TooBig,
    /// <summary>The compressed data is not valid DEFLATE.</summary>
    Corrupt,
}

/// <summary>Decompresses the messages of one connection (RFC 7692 permessage-deflate).</summary>
public interface IMessageDecompressor : IDisposable
{
    /// <summary>Decompresses one message: the payload of its frames, without the trailing 00 00 FF FF, which the sender removed.</summary>
    /// <param name="compressed">The compressed payload.</param>
    /// <param name="output">Receives the message.</param>
    /// <param name="maxSize">The most bytes the message may have.</param>
    DecompressStatus Decompress(ReadOnlySpan<byte> compressed, ref PooledBuffer output, long maxSize);
}
