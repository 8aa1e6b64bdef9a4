using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>openssl s_server with broken certificates: each problem found from the chain exactly as served.</summary>
public sealed class CertificateFaultTests
{
    [Theory]
    [InlineData("expired", "cert-expired")]
    [InlineData("not-yet-valid", "cert-not-yet-valid")]
    [InlineData("wrong-host", "cert-hostname-mismatch")]
    [InlineData("no-intermediate", "cert-chain-incomplete")]
    [InlineData("untrusted-root", "cert-untrusted-root")]
    [InlineData("expiring", "cert-expiring-soon")]
    public async Task BrokenCertificate_NamedFinding(string fault, string id)
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var now = DateTimeOffset.UtcNow;
        var leaf = fault switch
        {
            "expired" => pki.Issue(["127.0.0.1"], now.AddDays(-30), now.AddDays(-1)),
            "not-yet-valid" => pki.Issue(["127.0.0.1"], now.AddDays(2), now.AddDays(30)),
            "wrong-host" => pki.Issue(["other.example"]),
            "expiring" => pki.Issue(["127.0.0.1"], now.AddDays(-80), now.AddDays(10)),
            _ => pki.Issue(["127.0.0.1"]),
        };
        var (cert, key) = leaf.WriteFiles(withIntermediate: fault != "no-intermediate");
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key);
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", fault == "untrusted-root" ? null : pki.RootPath);

        var finding = report.AssertFinding(id);
        Assert.Contains("the certificate served for 127.0.0.1", finding.Evidence);
        Assert.Equal(fault == "expiring" ? Diagnostics.Findings.Severity.Warning : Diagnostics.Findings.Severity.Error, finding.Severity);
    }

    [Fact]
    public async Task SelfSignedCertificate_CertSelfSigned()
    {
        using var temp = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectNames.Extension(["127.0.0.1"]));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var certPath = Path.Combine(temp.Path, "self.pem");
        var keyPath = Path.Combine(temp.Path, "self.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        var (openssl, port) = await OpenSsl.ServerAsync(certPath, keyPath);
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/");

        Assert.Contains("it is its own issuer", report.AssertFinding("cert-self-signed").Evidence);
    }

    [Fact]
    public async Task IntermediateMissingButPublished_ChainIncomplete_AndTheDownloadThatBrowsersMakeWorks()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var published = Path.Combine(temp.Path, "published");
        Directory.CreateDirectory(published);
        await File.WriteAllBytesAsync(Path.Combine(published, "intermediate.cer"), pki.IntermediateDer);
        var httpPort = LoopbackPort.Free();
        await using var web = PeerProcess.Start("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", "--directory", published, httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(await LoopbackPort.WaitForListenerAsync(httpPort, () => web.HasExited), web.Transcript);
        var url = $"http://127.0.0.1:{httpPort}/intermediate.cer";
        var (cert, key) = pki.Issue(["127.0.0.1"], caIssuersUrl: url).WriteFiles(withIntermediate: false);
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key);
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        Assert.Contains($"completes the chain from {url}, strict clients do not", report.AssertFinding("cert-chain-incomplete").Evidence);
        Assert.Contains(report.Stages.Single(s => s.Name == "tls").Facts, f => f.Key == "with downloads" && f.Value.StartsWith("trusted", StringComparison.Ordinal));
    }
}
