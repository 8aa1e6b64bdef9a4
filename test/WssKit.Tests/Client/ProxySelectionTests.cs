using WssKit.Client;
using WssKit.Client.Connecting;

namespace WssKit.Tests.Client;

/// <summary>Which proxy a connection uses: the one given, else the environment's (curl's conventions), minus NO_PROXY.</summary>
public sealed class ProxySelectionTests
{
    private static readonly WssClientOptions FromEnvironment = new();

    [Theory]
    [InlineData("wss://feed.example.com/", "HTTPS_PROXY=http://proxy:3128", "http://proxy:3128/")]
    [InlineData("wss://feed.example.com/", "https_proxy=proxy:3128", "http://proxy:3128/")]
    [InlineData("ws://feed.example.com/", "HTTP_PROXY=http://plain:80|HTTPS_PROXY=http://secure:443", "http://plain/")]
    [InlineData("wss://feed.example.com/", "ALL_PROXY=http://all:8080", "http://all:8080/")]
    [InlineData("wss://feed.example.com/", "HTTPS_PROXY=http://proxy:3128|NO_PROXY=example.com", null)]
    [InlineData("wss://feed.example.com/", "HTTPS_PROXY=http://proxy:3128|NO_PROXY=.example.com", null)]
    [InlineData("wss://feed.example.com/", "HTTPS_PROXY=http://proxy:3128|NO_PROXY=*", null)]
    [InlineData("wss://feed.example.com/", "HTTPS_PROXY=http://proxy:3128|no_proxy=localhost, feed.example.com:443", null)]
    [InlineData("wss://feed.example.com/", "HTTPS_PROXY=http://proxy:3128|NO_PROXY=ample.com", "http://proxy:3128/")]
    [InlineData("wss://feed.example.com/", "", null)]
    public void Environment_ChoosesLikeCurl(string target, string variables, string? expected)
    {
        var environment = variables.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        var proxy = ProxyTunnel.For(new Uri(target), FromEnvironment, name => environment.GetValueOrDefault(name));

        Assert.Equal(expected, proxy?.ToString());
    }

    [Fact]
    public void GivenProxy_WinsOverTheEnvironment_AndNoEnvironmentMeansDirect()
    {
        string? Environment(string name) => name == "HTTPS_PROXY" ? "http://env:1" : null;
        var target = new Uri("wss://feed.example.com/");

        Assert.Equal("http://given:2/", ProxyTunnel.For(target, new WssClientOptions { Proxy = new Uri("http://given:2") }, Environment)?.ToString());
        Assert.Null(ProxyTunnel.For(target, new WssClientOptions { UseEnvironmentProxy = false }, Environment));
    }

    [Fact]
    public void EnvironmentProxyThatIsNotAUrl_ProxyStageError()
    {
        var error = Assert.Throws<WssConnectException>(() => ProxyTunnel.For(new Uri("wss://a.example/"), FromEnvironment, name => name == "HTTPS_PROXY" ? "http://[bad" : null));

        Assert.Equal(ConnectStage.Proxy, error.Stage);
        Assert.Contains("is not a URL", error.Message);
    }
}
