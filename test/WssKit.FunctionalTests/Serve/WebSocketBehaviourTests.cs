using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>The WebSocket rules of wss serve, seen from Node's ws and Python's websockets.</summary>
public sealed class WebSocketBehaviourTests
{
    [Fact]
    public async Task OversizedMessage_AboveMaxMessageSize_ClosesWith1009()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxMessageSize = 64 * 1024);
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");
        await node.SendAsync("sendbin 65536");
        Assert.Equal(65536, (await node.WaitForAsync("message")).GetProperty("length").GetInt32());

        await node.SendAsync("sendbin 65537");
        var close = await node.WaitForAsync("close");

        Assert.Equal(1009, close.GetProperty("code").GetInt32());
        Assert.Contains("64KiB", close.GetProperty("reason").GetString());
        Assert.Equal(1, await server.MetricAsync("wss_connections_closed_total{code=\"1009\"}"));
    }

    [Fact]
    public async Task Origin_NotInAllowlist_Gets403AndAllowedOriginsAndNoOriginConnect()
    {
        await using var server = await TestServer.StartAsync(options => options.AllowedOrigins = ["https://app.example.com"]);

        await using var foreign = PeerProcess.Node(server.Url(), "--ca", server.CaPath, "--origin", "https://evil.example.net");
        var refused = await foreign.WaitForAsync("unexpected-response");
        Assert.Equal(403, refused.GetProperty("status").GetInt32());
        Assert.Contains("https://evil.example.net is not allowed", refused.GetProperty("body").GetString());

        await using var allowed = PeerProcess.Node(server.Url(), "--ca", server.CaPath, "--origin", "https://app.example.com");
        await allowed.WaitForAsync("open");
        await using var noOrigin = PeerProcess.Python(server.Url(), "--ca", server.CaPath);
        await noOrigin.WaitForAsync("open");
        Assert.Equal(1, await server.MetricAsync("wss_handshakes_failed_total{stage=\"upgrade\",reason=\"origin\"}"));
    }

    [Fact]
    public async Task Subprotocol_ClientOffersSeveral_ServerPicksItsPreferred()
    {
        await using var server = await TestServer.StartAsync(options => options.Subprotocols = ["chat.v2", "chat.v1"]);

        await using var both = PeerProcess.Node(server.Url(), "--ca", server.CaPath, "--protocol", "chat.v1", "--protocol", "chat.v2");
        Assert.Equal("chat.v2", (await both.WaitForAsync("open")).GetProperty("protocol").GetString());
        await using var python = PeerProcess.Python(server.Url(), "--ca", server.CaPath, "--protocol", "chat.v1");
        Assert.Equal("chat.v1", (await python.WaitForAsync("open")).GetProperty("protocol").GetString());
        await using var none = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        Assert.Equal("", (await none.WaitForAsync("open")).GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task MaxConnections_Reached_NextUpgradeGets503WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxConnections = 2);
        await using var first = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await using var second = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await first.WaitForAsync("open");
        await second.WaitForAsync("open");

        await using var third = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        var refused = await third.WaitForAsync("unexpected-response");

        Assert.Equal(503, refused.GetProperty("status").GetInt32());
        Assert.Equal("5", refused.GetProperty("headers").GetProperty("retry-after").GetString());
        await first.SendAsync("close 1000");
        await first.WaitForAsync("close");
        await server.WaitForMetricAsync("wss_connections_open", 1);
        await using var fourth = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await fourth.WaitForAsync("open");
    }

    [Fact]
    public async Task MaxConnectionsPerIp_Reached_NextUpgradeFromThatAddressGets429()
    {
        await using var server = await TestServer.StartAsync(options => (options.MaxConnectionsPerIp, options.PerIpLimitExempt) = (1, []));
        await using var first = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await first.WaitForAsync("open");

        await using var second = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        var refused = await second.WaitForAsync("unexpected-response");

        Assert.Equal(429, refused.GetProperty("status").GetInt32());
        Assert.Contains("127.0.0.1 already has 1 connections open", refused.GetProperty("body").GetString());
    }

    [Fact]
    public async Task MaxConnectionsPerIp_LoopbackExemptByDefault_SecondConnectionOpens()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxConnectionsPerIp = 1);
        await using var first = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await using var second = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await first.WaitForAsync("open");
        await second.WaitForAsync("open");
    }

    [Fact]
    public async Task IdleTimeout_NoMessages_ClosesWith1001IdleTimeout()
    {
        await using var server = await TestServer.StartAsync(options => options.IdleTimeout = TimeSpan.FromSeconds(1));
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");
        var opened = DateTime.UtcNow;

        var close = await node.WaitForAsync("close", TimeSpan.FromSeconds(10));

        Assert.Equal(1001, close.GetProperty("code").GetInt32());
        Assert.Equal("idle timeout", close.GetProperty("reason").GetString());
        Assert.InRange(DateTime.UtcNow - opened, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DeadPeer_StopsAnsweringPings_IsDroppedAfterPingTimeout()
    {
        await using var server = await TestServer.StartAsync(options => (options.PingInterval, options.PingTimeout) = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");
        Assert.Equal("alive", await node.EchoAsync("alive"));
        Assert.Equal(1, await server.MetricAsync("wss_connections_open"));

        // A frozen process keeps its TCP connection (the kernel still acknowledges) but never answers a ping.
        node.Signal(Signals.SIGSTOP);
        try
        {
            await server.WaitForMetricAsync("wss_connections_open", 0, TimeSpan.FromSeconds(8));
        }
        finally
        {
            node.Signal(Signals.SIGCONT);
        }
        Assert.Equal(1, await server.MetricAsync("wss_connections_closed_total{code=\"1006\"}"));
    }

    [Fact]
    public async Task KeepAlive_HealthyPeer_StaysConnectedAcrossSeveralPingIntervals()
    {
        await using var server = await TestServer.StartAsync(options => (options.PingInterval, options.PingTimeout) = (TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1)));
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal("still here", await node.EchoAsync("still here"));
        Assert.Equal(1, await server.MetricAsync("wss_connections_open"));
    }
}
