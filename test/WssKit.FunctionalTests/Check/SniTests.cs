using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>A site certificate chosen by SNI, and another one for clients without SNI: named as info, not as an error.</summary>
public sealed class SniTests
{
    [Fact]
    public async Task SiteCertificateOnlyWithSni_CertSniRequiredInfo()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["site.test"]).WriteFiles();
        await using var server = await TestServer.StartAsync(options => options.Sites = [new() { Hosts = ["site.test"], Cert = cert, Key = key }]);
        var hosts = Path.Combine(temp.Path, "hosts");
        await File.WriteAllTextAsync(hosts, "127.0.0.1 site.test\n");

        var result = await Tool.RunAsync("unshare", ["-m", "sh", "-c",
            $"mount --bind {hosts} /etc/hosts && exec dotnet {Repository.WssDll} check wss://site.test:{server.Port}/echo --ca {pki.RootPath} --json"], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("\"id\": \"cert-sni-required\"", result.Output);
        Assert.Contains("\"severity\": \"info\"", result.Output);
        Assert.Contains("(does not cover site.test)", result.Output);
    }
}
