using WssKit.Client;

namespace WssKit.Tests.Client;

/// <summary>Exponential backoff with full jitter: every wait between zero and a ceiling that doubles up to the maximum.</summary>
public sealed class ReconnectPolicyTests
{
    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(4, 4_000)]
    [InlineData(7, 30_000)]
    [InlineData(1_000, 30_000)]
    public void DelayFor_StaysUnderTheDoublingCeiling_AndSpreadsOverIt(int attempt, double ceilingMs)
    {
        var policy = new ReconnectPolicy();
        var random = new Random(42);

        var delays = Enumerable.Range(0, 2_000).Select(_ => policy.DelayFor(attempt, random).TotalMilliseconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, 0, ceilingMs));
        // Full jitter: waits spread over the whole range, so clients that lost the same server do not return together.
        Assert.InRange(delays.Min(), 0, ceilingMs * 0.05);
        Assert.InRange(delays.Max(), ceilingMs * 0.95, ceilingMs);
    }
}
