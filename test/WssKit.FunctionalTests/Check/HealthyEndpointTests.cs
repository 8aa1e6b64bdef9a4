using WssKit.Diagnostics;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>False alarms are bugs: healthy endpoints get no error and no warning, and the check stays within its time.</summary>
[Collection(TimingSensitive.Name)]
public sealed class HealthyEndpointTests
{
    [Fact]
    public async Task OwnServer_TrustingItsCa_NoErrorNoWarningEveryStagePasses()
    {
        await using var server = await TestServer.StartAsync();

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath);

        report.AssertNoProblem();
        Assert.Equal(Diagnostics.Findings.Severity.Info, report.AssertFinding("origin-not-checked").Severity);
        Assert.All(report.Stages.Where(s => s.Name != "dns"), stage => Assert.Equal(StageOutcome.Passed, stage.Outcome));
        var data = report.Stages.Single(s => s.Name == "data").Facts.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("yes", data["echoes"]);
        Assert.Contains("echoed intact", data["integrity"]);
        Assert.Equal("answered with 1000", data["close"]);
        Assert.InRange(report.Took, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NginxInFrontOfOwnServer_ConfiguredRight_NoErrorNoWarning()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var server = await TestServer.StartAsync(options => (options.Insecure, options.HttpPort) = (true, 0));
        await using var nginx = await ReverseProxy.StartAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), server.PlainPort);

        var report = await CheckLab.CheckAsync(nginx.Url("/echo"), pki.RootPath);

        report.AssertNoProblem();
        Assert.Contains(report.Stages.Single(s => s.Name == "upgrade").Facts, f => f.Key.Trim() == "Server" && f.Value.StartsWith("nginx", StringComparison.Ordinal));
    }
}
