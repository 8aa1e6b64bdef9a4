using WssKit.Client;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Client;

/// <summary>WssKit's client through a real forward proxy (tinyproxy): the CONNECT tunnel, credentials, and the environment's settings.</summary>
public sealed class ProxyTests
{
    [Fact]
    public async Task Connect_ThroughProxyWithCredentials_TunnelsAndEchoes()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = await ForwardProxy.StartAsync("alice", "s3cret");

        await using var client = await WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions { TrustedCaFile = server.CaPath, Proxy = proxy.Url });
        await client.SendTextAsync("through the tunnel");

        Assert.Equal("through the tunnel", (await client.ReceiveAsync()).Text);
        Assert.Contains($"CONNECT 127.0.0.1:{server.Port}", proxy.Log);
    }

    [Fact]
    public async Task Connect_ProxyWantsCredentials_ProxyStageSays407AndHowToGiveThem()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = await ForwardProxy.StartAsync("alice", "s3cret");

        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url()),
            new WssClientOptions { TrustedCaFile = server.CaPath, Proxy = proxy.AnonymousUrl }));

        Assert.Equal(ConnectStage.Proxy, error.Stage);
        Assert.Equal(407, error.StatusCode);
        Assert.Contains("http://user:password@host:port", error.Message);
    }

    [Fact]
    public async Task Connect_ProxyNotRunning_ProxyStageNamesTheProxy()
    {
        await using var server = await TestServer.StartAsync();
        var port = LoopbackPort.Free();

        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url()),
            new WssClientOptions { TrustedCaFile = server.CaPath, Proxy = new Uri($"http://127.0.0.1:{port}") }));

        Assert.Equal(ConnectStage.Proxy, error.Stage);
        Assert.Contains($"cannot reach the proxy 127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task Connect_ProxyFromTheEnvironment_CliTunnelsThroughItUnlessNoProxyNamesTheHost()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = await ForwardProxy.StartAsync();
        string[] arguments = [Repository.WssDll, "connect", server.Url(), "--ca", server.CaPath];

        var proxied = await Tool.RunAsync("dotnet", arguments, input: "via proxy\n",
            environment: new Dictionary<string, string> { ["HTTPS_PROXY"] = proxy.Url.ToString(), ["NO_PROXY"] = "" });
        var direct = await Tool.RunAsync("dotnet", arguments, input: "direct\n",
            environment: new Dictionary<string, string> { ["HTTPS_PROXY"] = $"http://127.0.0.1:{LoopbackPort.Free()}", ["NO_PROXY"] = "localhost,127.0.0.1" });

        Assert.True(proxied.ExitCode == 0, proxied.All);
        Assert.Equal("via proxy\n", proxied.Output);
        Assert.Contains($"CONNECT 127.0.0.1:{server.Port}", proxy.Log);
        Assert.True(direct.ExitCode == 0, direct.All);
        Assert.Equal("direct\n", direct.Output);
    }
}
