using WssKit.Diagnostics.Certs;

namespace WssKit.Tests.Diagnostics;

/// <summary>The targets of wss certs: every form a user writes, the default port, and one message naming the fix for the rest.</summary>
public sealed class CertTargetTests
{
    [Theory]
    [InlineData("example.com", "example.com", 443, "example.com:443")]
    [InlineData("  Example.COM:8443 ", "example.com", 8443, "example.com:8443")]
    [InlineData("127.0.0.1", "127.0.0.1", 443, "127.0.0.1:443")]
    [InlineData("127.0.0.1:9443", "127.0.0.1", 9443, "127.0.0.1:9443")]
    [InlineData("[::1]:9443", "::1", 9443, "[::1]:9443")]
    [InlineData("[2001:db8::1]", "2001:db8::1", 443, "[2001:db8::1]:443")]
    [InlineData("2001:db8::1", "2001:db8::1", 443, "[2001:db8::1]:443")]
    [InlineData("wss://feed.example.com/live?x=1", "feed.example.com", 443, "feed.example.com:443")]
    [InlineData("wss://feed.example.com:9443/live", "feed.example.com", 9443, "feed.example.com:9443")]
    [InlineData("https://[::1]:8443/", "::1", 8443, "[::1]:8443")]
    [InlineData("https://bücher.example", "xn--bcher-kva.example", 443, "xn--bcher-kva.example:443")]
    public void Parse_EveryForm_HostAndPort(string text, string host, int port, string shown)
    {
        var target = CertTarget.Parse(text);

        Assert.Equal((host, port), (target.Host, target.Port));
        Assert.Equal(shown, target.ToString());
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("example.com:0", "the port '0' is not a number from 1 to 65535")]
    [InlineData("example.com:65536", "the port '65536' is not a number from 1 to 65535")]
    [InlineData("example.com:https", "the port 'https' is not a number")]
    [InlineData("example.com:", "the port '' is not a number")]
    [InlineData("[::1", "the '[' of an IPv6 address is not closed")]
    [InlineData("[::1]8443", "'8443' after the address is not ':PORT'")]
    [InlineData("[example.com]:443", "'example.com' in brackets is not an IPv6 address")]
    [InlineData("fe80::1:zz:443", "an IPv6 address with a port goes in brackets")]
    [InlineData("ws://example.com/", "ws:// has no TLS, so no certificate")]
    [InlineData("http://example.com/", "http:// has no TLS")]
    [InlineData("ftp://example.com/", "ftp:// is not a TLS URL scheme")]
    [InlineData("bad_host!:443", "'bad_host!' is not a valid host name")]
    [InlineData(":443", "the host is missing")]
    public void Parse_BadText_MessageNamesProblemAndForms(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => CertTarget.Parse(text));

        Assert.Contains(problem, error.Message);
        Assert.StartsWith($"'{text}' is not a target: ", error.Message);
        Assert.EndsWith("give HOST, HOST:PORT, [IPv6]:PORT or a wss:// or https:// URL", error.Message);
    }

    [Fact]
    public void TargetList_CommentsAndBlankLines_Ignored()
    {
        string[] lines = ["# production", "", "api.example.com", "   ", "  [::1]:8443   # the local one", "#disabled.example.com", "wss://feed.example.com:9443/x"];

        var targets = TargetList.Parse(lines, "targets.txt");

        Assert.Equal(["api.example.com:443", "[::1]:8443", "feed.example.com:9443"], targets.Select(target => target.ToString()));
    }

    [Fact]
    public void TargetList_BadLine_NamesFileAndLine()
    {
        string[] lines = ["# header", "good.example.com", "bad.example.com:99999"];

        var error = Assert.Throws<FormatException>(() => TargetList.Parse(lines, "--targets hosts.txt"));

        Assert.StartsWith("--targets hosts.txt line 3: 'bad.example.com:99999' is not a target: the port '99999'", error.Message);
    }
}
