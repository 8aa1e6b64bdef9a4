using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>Slowness put where it belongs: the path (a delaying relay, this kernel has no netem), the application, or a jittery link.</summary>
[Collection(TimingSensitive.Name)]
public sealed class SlowPathTests
{
    [Fact]
    public async Task DistantServerBehindANearbyBalancer_HighNetworkLatencyOnly()
    {
        await using var server = await TestServer.StartAsync();
        await using var relay = new DelayingRelay(server.Port, (_, _) => TimeSpan.FromMilliseconds(90));

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{relay.Port}/echo", server.CaPath);

        var finding = report.AssertFinding("high-network-latency");
        Assert.Contains("a proxy or load balancer close to you forwards to a distant server", finding.Cause);
        Assert.DoesNotContain(report.Findings, f => f.Id is "slow-tls-handshake" or "slow-upgrade" or "slow-server-response");
        Assert.InRange(report.Took, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task BusyApplication_SlowServerResponse_NotTheNetwork()
    {
        await using var node = await PeerServer.NodeAsync(null, "--delay-echo", "300");

        var report = await CheckLab.CheckAsync(node.Url());

        Assert.Contains("pong p50", report.AssertFinding("slow-server-response").Evidence);
        Assert.DoesNotContain(report.Findings, f => f.Id == "high-network-latency");
    }

    [Fact]
    public async Task EveryFifthAnswerHeldBack_LatencyJitter()
    {
        await using var server = await TestServer.StartAsync();
        // A period prime to the two to four chunks a round trip may take (a pong, an echo, a record written apart): the
        // held chunks move through every kind of answer, so about a quarter of the echoes are late. With "every third
        // chunk", a server that wrote three chunks per round trip had every echo held, which is proxy buffering.
        await using var relay = new DelayingRelay(server.Port, (chunk, towardsClient) => towardsClient && chunk % 5 == 3 ? TimeSpan.FromMilliseconds(300) : TimeSpan.Zero);

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{relay.Port}/echo", server.CaPath);

        Assert.Contains("round trips vary widely", report.AssertFinding("latency-jitter").Cause);
    }

    [Fact]
    public async Task ServerSlowToAnswerTheHandshake_SlowTlsHandshake_NotTheNetwork()
    {
        await using var server = await TestServer.StartAsync();
        // The server's first flight (ServerHello, certificate) of every connection is held back; nothing else is.
        await using var relay = new DelayingRelay(server.Port, (chunk, towardsClient) => towardsClient && chunk == 0 ? TimeSpan.FromMilliseconds(400) : TimeSpan.Zero);

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{relay.Port}/echo", server.CaPath);

        Assert.Contains("fastest of", report.AssertFinding("slow-tls-handshake").Evidence);
        Assert.DoesNotContain(report.Findings, f => f.Id is "high-network-latency" or "slow-upgrade");
    }

    [Fact]
    public async Task ServerSlowToAcceptTheUpgrade_SlowUpgrade()
    {
        await using var node = await PeerServer.NodeAsync(null, "--delay-upgrade", "700");

        var report = await CheckLab.CheckAsync(node.Url());

        Assert.Contains("upgrade answers", report.AssertFinding("slow-upgrade").Evidence);
        Assert.DoesNotContain(report.Findings, f => f.Id is "high-network-latency" or "slow-server-response");
    }

    [Fact]
    public async Task RelayHoldingSmallWrites_ProxyBuffering_InsteadOfSlownessEverywhere()
    {
        await using var server = await TestServer.StartAsync();
        await using var relay = DelayingRelay.Buffering(server.Port, 8 * 1024, TimeSpan.FromMilliseconds(250));

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{relay.Port}/echo", server.CaPath);

        Assert.Contains("holds small writes back", report.AssertFinding("proxy-buffering").Cause);
        Assert.DoesNotContain(report.Findings, f => f.Id is "high-network-latency" or "slow-server-response" or "slow-tls-handshake");
    }
}
