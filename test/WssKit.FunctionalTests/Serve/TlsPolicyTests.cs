using System.Text.RegularExpressions;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>TLS 1.2 and 1.3 only, forward-secret AEAD suites only, ALPN: checked by sslscan and openssl from Debian.</summary>
public sealed partial class TlsPolicyTests
{
    [Fact]
    public async Task Sslscan_EcdsaDevelopmentCertificate_OnlyModernProtocolsAndAeadSuites()
    {
        await using var server = await TestServer.StartAsync();
        await AssertPolicyAsync(server.Port, "ECDSA");
    }

    [Fact]
    public async Task Sslscan_RsaCertificateFromFiles_OnlyModernProtocolsAndAeadSuites()
    {
        using var temp = new TempDirectory();
        var (cert, key) = new TestPki(temp.Path).Issue(["localhost"], rsa: true).WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));
        await AssertPolicyAsync(server.Port, "RSA");
    }

    [Fact]
    public async Task Alpn_ClientOffersH2AndHttp11_ServerChoosesH2()
    {
        await using var server = await TestServer.StartAsync();
        var result = await OpenSsl.SClientAsync(server.Port, "localhost", ["-alpn", "h2,http/1.1"]);
        Assert.Contains("ALPN protocol: h2", result.All);
        var http11 = await OpenSsl.SClientAsync(server.Port, "localhost", ["-alpn", "http/1.1"]);
        Assert.Contains("ALPN protocol: http/1.1", http11.All);
    }

    [Theory]
    [InlineData("-tls1")]
    [InlineData("-tls1_1")]
    public async Task OpensslSClient_LegacyProtocol_HandshakeFails(string protocol)
    {
        await using var server = await TestServer.StartAsync();
        // Security level 0 lets this client offer the legacy protocol at all; the server must still refuse it.
        var result = await OpenSsl.SClientAsync(server.Port, "localhost", [protocol, "-cipher", "DEFAULT:@SECLEVEL=0"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("Cipher is ECDHE", result.All);
        Assert.Equal(1, await server.MetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"protocol-version\"}"));
    }

    private static async Task AssertPolicyAsync(int port, string keyKind)
    {
        var scan = await Tool.RunAsync("sslscan", ["--no-colour", $"127.0.0.1:{port}"], TimeSpan.FromSeconds(90));
        Assert.True(scan.ExitCode == 0, scan.All);
        foreach (var legacy in new[] { "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1" })
        {
            Assert.Matches($@"(?m)^{Regex.Escape(legacy)}\s+disabled", scan.Output);
        }
        Assert.Matches(@"(?m)^TLSv1\.2\s+enabled", scan.Output);
        Assert.Matches(@"(?m)^TLSv1\.3\s+enabled", scan.Output);
        var suites = AcceptedSuite().Matches(scan.Output).Select(match => match.Groups[1].Value).ToList();
        Assert.NotEmpty(suites);
        Assert.All(suites, suite => Assert.Matches(@"^(TLS_AES_(128|256)_GCM_SHA(256|384)|TLS_CHACHA20_POLY1305_SHA256|ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305))$", suite));
        Assert.Contains(suites, suite => suite.StartsWith($"ECDHE-{keyKind}-", StringComparison.Ordinal));
        Assert.Contains("TLS_AES_128_GCM_SHA256", suites);
    }

    [GeneratedRegex(@"(?m)^(?:Preferred|Accepted)\s+TLSv1\.[23]\s+\d+ bits\s+(\S+)")]
    private static partial Regex AcceptedSuite();
}
