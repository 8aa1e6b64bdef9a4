using WssKit.Server.Configuration;

namespace WssKit.Tests.Configuration;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("0.0.0.0:443", "0.0.0.0", 443, "0.0.0.0:443")]
    [InlineData("[::]:443", "::", 443, "[::]:443")]
    [InlineData(":443", null, 443, ":443")]
    [InlineData("*:443", null, 443, ":443")]
    [InlineData("localhost:8443", "localhost", 8443, "localhost:8443")]
    [InlineData("LocalHost:8443", "localhost", 8443, "localhost:8443")]
    [InlineData("[::1]:0", "::1", 0, "[::1]:0")]
    [InlineData("127.0.0.1:65535", "127.0.0.1", 65535, "127.0.0.1:65535")]
    public void TryParse_ValidAddress_ReturnsHostPortAndCanonicalText(string text, string? host, int port, string canonical)
    {
        Assert.True(ListenAddress.TryParse(text, out var address));
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(canonical, address.ToString());
    }

    [Theory]
    [InlineData("example.com:443")] // host names other than localhost cannot be bound
    [InlineData("443")]
    [InlineData("1.2.3.4:99999")]
    [InlineData("1.2.3.4:-1")]
    [InlineData("1.2.3.4:")]
    [InlineData("::1:443")] // IPv6 needs brackets
    [InlineData("[127.0.0.1]:443")] // brackets are for IPv6 only
    public void TryParse_InvalidAddress_ReturnsFalse(string text)
    {
        Assert.False(ListenAddress.TryParse(text, out _));
    }

    [Theory]
    [InlineData("127.0.0.1:8443", true)]
    [InlineData("[::1]:8443", true)]
    [InlineData("localhost:8443", true)]
    [InlineData("0.0.0.0:443", false)]
    [InlineData(":443", false)]
    public void IsLoopback_Address_TrueOnlyForThisMachine(string text, bool expected)
    {
        Assert.True(ListenAddress.TryParse(text, out var address));
        Assert.Equal(expected, address.IsLoopback);
    }

    [Fact]
    public void Parse_InvalidAddress_ThrowsNamingSettingOriginAndExamples()
    {
        var setting = ServeSettings.Find("listen");
        var input = new SettingInput(["example.com:443"], SettingLayer.Environment, "WSS_LISTEN", "/tmp");

        var exception = Assert.Throws<SettingException>(() => ListenAddress.Parse("example.com:443", setting, input));

        Assert.StartsWith("listen (--listen, WSS_LISTEN) = 'example.com:443' from WSS_LISTEN: not an address;", exception.Message);
        Assert.Contains("0.0.0.0:443, [::]:443, :443 (every address) or localhost:8443", exception.Message);
    }
}
