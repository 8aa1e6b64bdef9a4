using System.Numerics;

namespace WssKit.Cli.Bench;

/// <summary>
/// An HDR-style histogram of durations in nanoseconds: 2,048 linear sub-buckets per power of two, so every recorded
/// value is kept to 3 significant digits (within 0.05 %) from 1 ns to an hour, in a fixed 272 KiB and with no
/// allocation per value. Recording is thread-safe (one interlocked add); reading is done once recording has stopped.
/// </summary>
internal sealed class Histogram
{
    private const int SubBucketBits = 11;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int SubBucketHalfCount = SubBucketCount / 2;
    private const long SubBucketMask = SubBucketCount - 1;

    /// <summary>The largest value kept exactly (an hour); larger ones are counted as this.</summary>
    public const long HighestTrackable = 3_600_000_000_000;

    private static readonly int BucketCount = BucketIndex(HighestTrackable) + 1;
    private readonly long[] _counts = new long[(BucketCount + 1) * SubBucketHalfCount];
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    /// <summary>How many values were recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The smallest value recorded, exactly; 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    /// <summary>The largest value recorded, exactly (up to <see cref="HighestTrackable"/>); 0 when empty.</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>The arithmetic mean of the values recorded; 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Counts one value; negative values count as 0, values past <see cref="HighestTrackable"/> as it.</summary>
    public void Record(long value)
    {
        value = Math.Clamp(value, 0, HighestTrackable);
        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);
        long seen;
        while (value < (seen = Volatile.Read(ref _min)) && Interlocked.CompareExchange(ref _min, value, seen) != seen)
        {
        }
        while (value > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, value, seen) != seen)
        {
        }
    }

    /// <summary>Adds every value of another histogram to this one.</summary>
    public void Add(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        _count += other._count;
        _sum += other._sum;
        if (other.Count > 0)
        {
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
        }
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> % of the recorded values lie (the nearest-rank
    /// definition): the highest value of the bucket holding that rank, never more than the maximum. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var count = Count;
        if (count == 0)
        {
            return 0;
        }
        // Rounded first, so that 99.9 % of 1,000 is rank 999 and not 1,000 through a binary fraction.
        var rank = Math.Max(1, (long)Math.Ceiling(Math.Round(percentile / 100 * count, 6)));
        if (rank >= count)
        {
            return Max;
        }
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Max(Math.Min(HighestEquivalentValue(i), Max), Min);
            }
        }
        return Max;
    }

    private static int BucketIndex(long value)
        => 64 - BitOperations.LeadingZeroCount((ulong)(value | SubBucketMask)) - SubBucketBits;

    private static int IndexOf(long value)
    {
        var bucket = BucketIndex(value);
        var subBucket = (int)(value >> bucket);
        // Bucket 0 uses all 2,048 sub-buckets; every later one only its upper half (the lower half is the previous bucket).
        return ((bucket + 1) << (SubBucketBits - 1)) + subBucket - SubBucketHalfCount;
    }

    private static long HighestEquivalentValue(int index)
    {
        var bucket = (index >> (SubBucketBits - 1)) - 1;
        var subBucket = (index & (SubBucketHalfCount - 1)) + SubBucketHalfCount;
        if (bucket < 0)
        {
            subBucket -= SubBucketHalfCount;
            bucket = 0;
        }
        var lowest = (long)subBucket << bucket;
        return lowest + (1L << bucket) - 1;
    }
}
