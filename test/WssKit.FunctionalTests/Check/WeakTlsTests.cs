using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>Weak certificates and a TLS configuration no modern client can use, made and served by openssl.</summary>
public sealed class WeakTlsTests
{
    [Theory]
    [InlineData("rsa:1024", "-sha256", "cert-weak-key", "RSA 1024 bits")]
    [InlineData("rsa:2048", "-sha1", "cert-weak-signature", "sha1RSA")]
    public async Task WeakCertificate_Named(string key, string digest, string id, string detail)
    {
        using var temp = new TempDirectory();
        var (cert, keyFile) = (Path.Combine(temp.Path, "cert.pem"), Path.Combine(temp.Path, "key.pem"));
        var made = await Tool.RunAsync("openssl", ["req", "-x509", "-newkey", key, digest, "-nodes", "-keyout", keyFile, "-out", cert,
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "30"]);
        Assert.True(made.ExitCode == 0, made.All);
        var (openssl, port) = await OpenSsl.ServerAsync(cert, keyFile, "-cipher", "DEFAULT:@SECLEVEL=0");
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", cert);

        Assert.Contains(detail, report.AssertFinding(id).Cause);
    }

    [Fact]
    public async Task NoSharedCipher_TlsHandshakeFailed()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"], rsa: true).WriteFiles();
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key, "-tls1_2", "-cipher", "NULL-SHA256:@SECLEVEL=0");
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        Assert.Contains("handshake failure", report.AssertFinding("tls-handshake-failed").Evidence);
    }

    [Fact]
    public async Task OnlyRsaKeyExchangeWithCbc_WeakCipherError()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"], rsa: true).WriteFiles();
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key, "-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0");
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        var finding = report.AssertFinding("weak-cipher");
        Assert.Contains("TLS_RSA_WITH_AES_128_CBC_SHA", finding.Cause);
        Assert.Equal(Diagnostics.Findings.Severity.Error, finding.Severity);
        Assert.DoesNotContain(report.Findings, f => f.Id == "tls-handshake-failed");
    }

    [Fact]
    public async Task ModernAndWeakSuitesBoth_WeakCipherWarning()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"], rsa: true).WriteFiles();
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key, "-cipher", "DEFAULT:@SECLEVEL=0");
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        var finding = report.AssertFinding("weak-cipher");
        Assert.Equal(Diagnostics.Findings.Severity.Warning, finding.Severity);
        Assert.Contains("when a client offers nothing better", finding.Cause);
    }
}
