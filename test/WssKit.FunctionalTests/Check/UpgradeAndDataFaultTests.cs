using WssKit.Diagnostics;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>Endpoints that answer the upgrade wrongly, or damage the data: Node ws with faults, nginx misconfigured, our own limits.</summary>
[Collection(TimingSensitive.Name)]
public sealed class UpgradeAndDataFaultTests
{
    [Fact]
    public async Task PlainWebServer_UpgradeIgnored()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"]).WriteFiles();
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key);
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        Assert.Contains("answered 200", report.AssertFinding("upgrade-ignored").Evidence);
        Assert.DoesNotContain(report.Findings, f => f.Category == Diagnostics.Findings.FindingCategory.Certificate);
    }

    [Fact]
    public async Task WrongPath_UpgradeRejected404()
    {
        await using var server = await TestServer.StartAsync();

        var report = await CheckLab.CheckAsync(server.Url("/nope"), server.CaPath);

        Assert.Contains("nothing is served at this path", report.AssertFinding("upgrade-rejected").Cause);
    }

    [Fact]
    public async Task OriginAllowlistWithoutThisSite_OriginRejected()
    {
        await using var server = await TestServer.StartAsync(options => options.AllowedOrigins = ["https://app.example.com"]);

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath);
        var allowed = await CheckLab.CheckAsync(server.Url(), server.CaPath, new CheckOptions { Origin = "https://app.example.com" });

        Assert.Contains($"https://127.0.0.1:{server.Port}", report.AssertFinding("origin-rejected").Cause);
        allowed.AssertNoProblem();
        Assert.DoesNotContain(allowed.Findings, f => f.Id == "origin-not-checked");
    }

    [Fact]
    public async Task TokenRequired_AuthRequired_AndTheTokenGiven_Healthy()
    {
        await using var node = await PeerServer.NodeAsync(null, "--require-token", "s3cret");

        var refused = await CheckLab.CheckAsync(node.Url());
        var admitted = await CheckLab.CheckAsync(node.Url(), options: new CheckOptions { Headers = [KeyValuePair.Create("Authorization", "Bearer s3cret")] });

        Assert.Contains("answered 401 Unauthorized", refused.AssertFinding("auth-required").Evidence);
        admitted.AssertNoProblem();
    }

    [Fact]
    public async Task NginxWithoutUpgradeHeaders_ProxyStripsUpgrade()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var node = await PeerServer.NodeAsync();
        await using var nginx = await ReverseProxy.StartAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), node.Port, passUpgrade: false);

        var report = await CheckLab.CheckAsync(nginx.Url(), pki.RootPath);

        var finding = report.AssertFinding("proxy-strips-upgrade");
        Assert.Contains("426", finding.Evidence);
        Assert.Contains("Server: nginx", finding.Evidence);
    }

    [Theory]
    [InlineData("--bad-accept", "upgrade-bad-accept")]
    [InlineData("--bad-extension", "compression-mismatch")]
    public async Task HandMadeHandshake_Named(string fault, string id)
    {
        await using var node = await PeerServer.NodeAsync(null, fault);

        var report = await CheckLab.CheckAsync(node.Url());

        Assert.Contains("101 Switching Protocols", report.AssertFinding(id).Evidence);
    }

    [Fact]
    public async Task SmallMessageLimit_MessageSizeLimitWithTheSizes()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxMessageSize = 100_000);

        var report = await CheckLab.CheckAsync(server.Url(), server.CaPath);

        var finding = report.AssertFinding("message-size-limit");
        Assert.Contains("between 65536 and 262144 bytes", finding.Cause);
        Assert.Equal(Diagnostics.Findings.Severity.Info, finding.Severity);
    }

    [Fact]
    public async Task ServerFlipsAByte_DataCorrupted()
    {
        await using var node = await PeerServer.NodeAsync(null, "--corrupt");

        var report = await CheckLab.CheckAsync(node.Url());

        Assert.Contains("a 1024-byte message came back different", report.AssertFinding("data-corrupted").Cause);
    }

    [Fact]
    public async Task ServerCutsTheConnection_AbnormalClose()
    {
        await using var node = await PeerServer.NodeAsync(null, "--drop-at-bytes", "10000");

        var report = await CheckLab.CheckAsync(node.Url());

        Assert.Contains("no WebSocket close frame", report.AssertFinding("abnormal-close").Evidence);
    }
}
