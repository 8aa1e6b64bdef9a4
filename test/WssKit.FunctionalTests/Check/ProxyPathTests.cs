using WssKit.Diagnostics;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>The endpoint through a forward proxy: tinyproxy passing or refusing the tunnel, and a proxy that inspects TLS.</summary>
[Collection(TimingSensitive.Name)]
public sealed class ProxyPathTests
{
    [Fact]
    public async Task ProxyThatTunnels_ProxyStagePassesWithNoFinding()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = await ForwardProxy.StartAsync();

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath, new CheckOptions { Proxy = proxy.Url });

        report.AssertNoProblem();
        var stage = report.Stages.Single(s => s.Name == "proxy");
        Assert.Equal(StageOutcome.Passed, stage.Outcome);
        Assert.Contains(stage.Facts, f => f.Key == "upgrade" && f.Value.StartsWith("101", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProxyAllowingOnlyPort443_ProxyConnectRefused()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = await ForwardProxy.StartAsync(extraConfig: "ConnectPort 443");

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath, new CheckOptions { Proxy = proxy.Url });

        var finding = report.AssertFinding("proxy-connect-refused");
        Assert.Contains($"CONNECT 127.0.0.1:{server.Port} HTTP/1.1", finding.Evidence);
        Assert.Contains("serve wss:// on 443", finding.Fix);
    }

    [Fact]
    public async Task ProxyInspectingTls_CertIntercepted()
    {
        using var temp = new TempDirectory();
        var inspection = new TestPki(temp.Path, "Inspection");
        await using var server = await TestServer.StartAsync();
        await using var proxy = new InterceptingProxy(inspection.Issue(["127.0.0.1"]).Certificate);

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath, new CheckOptions { Proxy = proxy.Url });

        var finding = report.AssertFinding("cert-intercepted");
        Assert.Contains("issued by CN=Inspection Intermediate CA", finding.Cause);
        Assert.Contains("WssKit development CA", finding.Evidence);
    }
}
