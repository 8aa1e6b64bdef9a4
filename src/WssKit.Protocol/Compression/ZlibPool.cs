using System.Collections.Concurrent;

namespace WssKit.Protocol.Compression;

/// <summary>
/// zlib streams shared by every connection that negotiated no context takeover: a deflate stream holds about
/// 256 KiB and an inflate stream about 40 KiB, so a connection borrows one for the length of a message instead of
/// keeping its own. At most a few per core stay pooled.
/// </summary>
internal static class ZlibPool
{
    private static readonly int MaxPooled = Environment.ProcessorCount * 2;
    private static readonly ConcurrentBag<Deflater>[] Deflaters = [.. Enumerable.Range(0, 16).Select(_ => new ConcurrentBag<Deflater>())];
    private static readonly ConcurrentBag<Inflater> Inflaters = [];

    public static Deflater RentDeflater(int windowBits) => Deflaters[windowBits].TryTake(out var deflater) ? deflater : new Deflater(windowBits);

    public static void Return(Deflater deflater)
    {
        var bag = Deflaters[deflater.WindowBits];
        if (bag.Count < MaxPooled)
        {
            bag.Add(deflater);
        }
        else
        {
            deflater.Dispose();
        }
    }

    public static Inflater RentInflater() => Inflaters.TryTake(out var inflater) ? inflater : new Inflater();

    public static void Return(Inflater inflater)
    {
        if (Inflaters.Count < MaxPooled)
        {
            Inflaters.Add(inflater);
        }
        else
        {
            inflater.Dispose();
        }
    }
}
