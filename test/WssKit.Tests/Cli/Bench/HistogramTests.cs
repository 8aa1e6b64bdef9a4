using WssKit.Cli.Bench;

namespace WssKit.Tests.Cli.Bench;

public sealed class HistogramTests
{
    [Fact]
    public void ValueAtPercentile_Empty_ReturnsZero()
    {
        var histogram = new Histogram();

        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal(0, histogram.ValueAtPercentile(99.9));
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(0, histogram.Mean);
    }

    [Fact]
    public void ValueAtPercentile_SmallValues_NearestRankExactly()
    {
        var histogram = new Histogram();
        foreach (var value in new long[] { 40, 10, 30, 20 })
        {
            histogram.Record(value);
        }

        Assert.Equal(10, histogram.ValueAtPercentile(0));
        Assert.Equal(10, histogram.ValueAtPercentile(25));
        Assert.Equal(20, histogram.ValueAtPercentile(50));
        Assert.Equal(30, histogram.ValueAtPercentile(51));
        Assert.Equal(30, histogram.ValueAtPercentile(75));
        Assert.Equal(40, histogram.ValueAtPercentile(99.9));
        Assert.Equal(40, histogram.ValueAtPercentile(100));
        Assert.Equal(25, histogram.Mean);
    }

    [Theory]
    [InlineData(50, 500_000)]
    [InlineData(90, 900_000)]
    [InlineData(99, 990_000)]
    [InlineData(99.9, 999_000)]
    public void ValueAtPercentile_UniformMicroseconds_WithinThreeSignificantDigits(double percentile, long expected)
    {
        var histogram = new Histogram();
        for (long i = 1; i <= 1_000_000; i++)
        {
            histogram.Record(i * 1000);
        }

        var value = histogram.ValueAtPercentile(percentile) / 1000.0;

        Assert.InRange(value, expected * 0.999, expected * 1.001);
        Assert.Equal(1_000_000_000, histogram.Max);
        Assert.Equal(1000, histogram.Min);
    }

    [Fact]
    public void ValueAtPercentile_OneOutlier_ShowsOnlyAboveItsRank()
    {
        // 999 fast answers and one stall of a second: p99.9 and max see it, p99 does not.
        var histogram = new Histogram();
        for (var i = 0; i < 999; i++)
        {
            histogram.Record(50_000);
        }
        histogram.Record(1_000_000_000);

        Assert.InRange(histogram.ValueAtPercentile(99), 50_000, 50_050);
        Assert.InRange(histogram.ValueAtPercentile(99.9), 50_000, 50_050);
        Assert.Equal(1_000_000_000, histogram.ValueAtPercentile(99.95));
        Assert.Equal(1_000_000_000, histogram.Max);
    }

    [Fact]
    public void Record_OutOfRange_ClampedToZeroAndHighestTrackable()
    {
        var histogram = new Histogram();

        histogram.Record(-5);
        histogram.Record(long.MaxValue);

        Assert.Equal(0, histogram.Min);
        Assert.Equal(Histogram.HighestTrackable, histogram.Max);
        Assert.Equal(Histogram.HighestTrackable, histogram.ValueAtPercentile(100));
        Assert.Equal(2, histogram.Count);
    }

    [Fact]
    public void ValueAtPercentile_LargeValues_NeverAboveMaxNorBelowTrueValueByMoreThanBucket()
    {
        var histogram = new Histogram();
        histogram.Record(123_456_789);

        Assert.Equal(123_456_789, histogram.ValueAtPercentile(50));
        Assert.Equal(123_456_789, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Add_TwoHistograms_CountsMinMaxAndPercentilesOfBoth()
    {
        var first = new Histogram();
        var second = new Histogram();
        for (var i = 1; i <= 50; i++)
        {
            first.Record(i);
            second.Record(i + 50);
        }

        first.Add(second);

        Assert.Equal(100, first.Count);
        Assert.Equal(1, first.Min);
        Assert.Equal(100, first.Max);
        Assert.Equal(50, first.ValueAtPercentile(50));
        Assert.Equal(99, first.ValueAtPercentile(99));
    }

    [Fact]
    public void Record_FromManyThreads_CountsEveryValue()
    {
        var histogram = new Histogram();

        Parallel.For(0, 8, _ =>
        {
            for (var i = 1; i <= 10_000; i++)
            {
                histogram.Record(i);
            }
        });

        Assert.Equal(80_000, histogram.Count);
        Assert.Equal(10_000, histogram.Max);
        Assert.Equal(1, histogram.Min);
    }
}
