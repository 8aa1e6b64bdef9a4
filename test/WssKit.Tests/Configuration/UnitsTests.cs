using WssKit.Server.Configuration;

namespace WssKit.Tests.Configuration;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("64KiB", 65536)]
    [InlineData("1MiB", 1048576)]
    [InlineData("1048576", 1048576)]
    [InlineData("1.5KiB", 1536)]
    [InlineData("2GiB", 2147483648)]
    [InlineData("10KB", 10000)]
    [InlineData(" 3 MB ", 3000000)]
    [InlineData("0", 0)]
    public void TryParseSize_ValidText_ReturnsBytes(string text, long expected)
    {
        Assert.True(Units.TryParseSize(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("12x")]
    [InlineData("KiB")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1.5")] // a fraction of a byte
    [InlineData("1kib")] // units are case-sensitive: KiB, not kib
    public void TryParseSize_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(Units.TryParseSize(text, out _));
    }

    [Theory]
    [InlineData("9223372036854775808")] // long.MaxValue + 1
    [InlineData("9999999999999999999999999999GiB")] // past what decimal can hold once multiplied
    public void TryParseSize_TooLarge_ReturnsFalse(string text)
    {
        Assert.False(Units.TryParseSize(text, out _));
    }

    [Theory]
    [InlineData("500ms", 5_000_000L)]
    [InlineData("30s", 300_000_000L)]
    [InlineData("15m", 9_000_000_000L)]
    [InlineData("2h", 72_000_000_000L)]
    [InlineData("7d", 6_048_000_000_000L)]
    [InlineData("0", 0L)]
    [InlineData("00:00:30", 300_000_000L)]
    [InlineData("1.5s", 15_000_000L)]
    public void TryParseDuration_ValidText_ReturnsDuration(string text, long expectedTicks)
    {
        Assert.True(Units.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), duration);
    }

    [Theory]
    [InlineData("10 parsecs")]
    [InlineData("30")] // a number without a unit is ambiguous
    [InlineData("-00:00:30")]
    [InlineData("soon")]
    [InlineData("")]
    public void TryParseDuration_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(Units.TryParseDuration(text, out _));
    }

    [Theory]
    [InlineData("99999999d")] // past TimeSpan.MaxValue (about 10.7 million days)
    [InlineData("999999999999999999999h")]
    public void TryParseDuration_TooLarge_ReturnsFalse(string text)
    {
        Assert.False(Units.TryParseDuration(text, out _));
    }

    [Theory]
    [InlineData(1048576, "1MiB")]
    [InlineData(65536, "64KiB")]
    [InlineData(1536, "1536")]
    [InlineData(3L << 30, "3GiB")]
    [InlineData(0, "0")]
    public void FormatSize_Bytes_UsesLargestExactBinaryUnit(long bytes, string expected)
    {
        Assert.Equal(expected, Units.FormatSize(bytes));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1")]
    [InlineData(1536, "1536")]
    [InlineData(65536, "64KiB")]
    [InlineData(1L << 40, "1024GiB")]
    [InlineData(1000000, "1000000")]
    public void FormatSize_ThenTryParseSize_RoundTrips(long bytes, string expectedText)
    {
        var text = Units.FormatSize(bytes);

        Assert.Equal(expectedText, text);
        Assert.True(Units.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(5_000_000L, "500ms")]
    [InlineData(900_000_000L, "90s")]
    [InlineData(9_000_000_000L, "15m")]
    [InlineData(864_000_000_000L, "1d")]
    [InlineData(15_000_000L, "1500ms")]
    [InlineData(15_000L, "00:00:00.0015000")] // 1.5 ms: no unit divides it
    public void FormatDuration_ThenTryParseDuration_RoundTrips(long ticks, string expectedText)
    {
        var duration = TimeSpan.FromTicks(ticks);

        var text = Units.FormatDuration(duration);

        Assert.Equal(expectedText, text);
        Assert.True(Units.TryParseDuration(text, out var parsed));
        Assert.Equal(duration, parsed);
    }
}
