using WssKit.Diagnostics;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>--idle: nginx with a short proxy_read_timeout cuts the silent connection and spares the pinging one.</summary>
[Collection(TimingSensitive.Name)]
public sealed class IdleTimeoutTests
{
    [Fact]
    public async Task NginxWithAShortReadTimeout_IdleTimeout_PingsKeepTheOtherOpen()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var server = await TestServer.StartAsync(options => (options.Insecure, options.HttpPort) = (true, 0));
        await using var nginx = await ReverseProxy.StartAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), server.PlainPort, readTimeout: "2s");

        var report = await CheckLab.CheckAsync(nginx.Url("/echo"), pki.RootPath, new CheckOptions { Idle = TimeSpan.FromSeconds(5) });

        var finding = report.AssertFinding("idle-timeout");
        Assert.Matches(@"cut after about [23](\.\d)? s, while one that pings every 1 s stays open", finding.Cause);
        Assert.Contains("open for the whole 5 s", finding.Evidence);
    }

    [Fact]
    public async Task OwnServer_IdleConnectionsSurvive_NoFinding()
    {
        await using var server = await TestServer.StartAsync();

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath, new CheckOptions { Idle = TimeSpan.FromSeconds(3) });

        report.AssertNoProblem();
        Assert.Contains(report.Stages.Single(s => s.Name == "idle").Facts, f => f.Key == "silent connection" && f.Value == "open for the whole 3 s");
    }
}
