namespace WssKit.Protocol.Compression;

/// <summary>
/// permessage-deflate for one connection in one role: compresses what it sends and decompresses what it receives,
/// with a zlib stream of its own only for a direction that keeps its context between messages, and borrowed from
/// the shared pool otherwise.
/// </summary>
public sealed class MessageCompression : IMessageDecompressor
{
    private readonly bool _sendResets;
    private readonly bool _receiveResets;
    private readonly int _sendWindowBits;
    private Deflater? _deflater;
    private Inflater? _inflater;

    /// <summary>Sets up compression with the agreed parameters, for this end's role.</summary>
    public MessageCompression(DeflateParameters parameters, Role role)
    {
        var server = role == Role.Server;
        _sendResets = server ? parameters.ServerNoContextTakeover : parameters.ClientNoContextTakeover;
        _receiveResets = server ? parameters.ClientNoContextTakeover : parameters.ServerNoContextTakeover;
        // zlib's smallest raw window is 9 bits; a peer that allows 8 can read what a 9-bit window makes only if it
        // inflates with more, which is why a server never agrees to 8 (see PerMessageDeflate.TryAccept).
        _sendWindowBits = Math.Max(9, server ? parameters.ServerMaxWindowBits : parameters.ClientMaxWindowBits);
    }

    /// <summary>Compresses one message into <paramref name="output"/> (the payload to send with RSV1 set).</summary>
    public void Compress(ReadOnlySpan<byte> message, ref PooledBuffer output)
    {
        if (!_sendResets)
        {
            (_deflater ??= new Deflater(_sendWindowBits)).Compress(message, ref output, reset: false);
            return;
        }
        var deflater = ZlibPool.RentDeflater(_sendWindowBits);
        try
        {
            deflater.Compress(message, ref output, reset: true);
        }
        finally
        {
            ZlibPool.Return(deflater);
        }
    }

    /// <inheritdoc />
    public DecompressStatus Decompress(ReadOnlySpan<byte> compressed, ref PooledBuffer output, long maxSize)
    {
        if (!_receiveResets)
        {
            return (_inflater ??= new Inflater()).Decompress(compressed, ref output, maxSize, reset: false);
        }
        var inflater = ZlibPool.RentInflater();
        try
        {
            return inflater.Decompress(compressed, ref output, maxSize, reset: true);
        }
        finally
        {
            ZlibPool.Return(inflater);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _deflater?.Dispose();
        _inflater?.Dispose();
    }
}
