using System.Security.Cryptography.X509Certificates;
using WssKit.Client;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Acme;

/// <summary>wss serve --domain against Pebble: the certificate is ordered over HTTP-01 on the plain port and swapped in under open connections.</summary>
public sealed class ServeWithAcmeTests
{
    [Fact]
    public async Task Domain_IssuedOverHttp01_ServedWithItsChain_OpenConnectionKept()
    {
        var httpPort = LoopbackPort.Free();
        await using var pebble = await Pebble.StartAsync(httpPort);
        await using var server = await TestServer.StartAsync(options =>
        {
            options.Domains = ["wss.test"];
            options.HttpPort = httpPort;
            options.AcmeDirectory = pebble.DirectoryUrl.ToString();
            options.AcmeCa = pebble.TlsRootPath;
            options.AcmeEmail = "ops@wss.test";
        });
        // Opened while the placeholder is served (the test looks past it), used again after the swap.
        await using var early = await WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions { DangerousAcceptAnyServerCertificate = true, ServerName = "wss.test" });

        var served = await WaitForIssuedAsync(server.Port, TimeSpan.FromSeconds(45));
        await early.SendTextAsync("still here");

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(await pebble.IssuingRootAsync());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPemFile(Path.Combine(server.DataDirectory, "acme", "wss.test", "fullchain.pem"));
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        Assert.True(chain.Build(served), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal("still here", (await early.ReceiveAsync()).Text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.DataDirectory, "acme", "wss.test", "privkey.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.DataDirectory, "acme", "account.key")));
        Assert.Contains(server.Log.Lines, line => line.Contains("ACME: certificate for wss.test issued by", StringComparison.Ordinal));
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });
        var metrics = await http.GetStringAsync($"https://127.0.0.1:{server.Port}/metrics");
        Assert.Contains("wss_acme_orders_total{result=\"issued\"} 1", metrics);
    }

    [Fact]
    public async Task StoredCertificatePastTwoThirdsOfItsLife_RenewedAndSwappedUnderAnOpenConnection()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var stored = Path.Combine(temp.Path, "data", "acme", "due.test");
        Directory.CreateDirectory(stored);
        // 70 of its 90 days gone: due for renewal as the server starts.
        var old = pki.Issue(["due.test"], DateTimeOffset.UtcNow.AddDays(-70), DateTimeOffset.UtcNow.AddDays(20));
        old.WriteTo(Path.Combine(stored, "fullchain.pem"), Path.Combine(stored, "privkey.pem"));
        var httpPort = LoopbackPort.Free();
        await using var pebble = await Pebble.StartAsync(httpPort);
        await using var server = await TestServer.StartAsync(options =>
        {
            options.DataDirectory = Path.Combine(temp.Path, "data");
            options.Domains = ["due.test"];
            options.HttpPort = httpPort;
            options.AcmeDirectory = pebble.DirectoryUrl.ToString();
            options.AcmeCa = pebble.TlsRootPath;
        });
        await using var client = await WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions { DangerousAcceptAnyServerCertificate = true, ServerName = "due.test" });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        X509Certificate2 served;
        while ((served = await OpenSsl.ServedCertificateAsync(server.Port, "due.test")).SerialNumber == old.Serial)
        {
            Assert.True(DateTime.UtcNow < deadline, "not renewed:\n" + string.Join('\n', server.Log.Lines));
            await Task.Delay(250);
        }
        await client.SendTextAsync("across the renewal");

        Assert.Equal("across the renewal", (await client.ReceiveAsync()).Text);
        Assert.DoesNotContain("Test Intermediate CA", served.Issuer);
    }

    [Fact]
    public async Task DomainWithoutHttpPort_IssuedOverTlsAlpn01OnTheTlsPort()
    {
        var tlsPort = LoopbackPort.Free();
        await using var pebble = await Pebble.StartAsync(httpChallengePort: LoopbackPort.Free(), tlsChallengePort: tlsPort);
        await using var server = await TestServer.StartAsync(options =>
        {
            options.Listen = [$"127.0.0.1:{tlsPort}"];
            options.Domains = ["alpn.test"];
            options.AcmeDirectory = pebble.DirectoryUrl.ToString();
            options.AcmeCa = pebble.TlsRootPath;
        });

        var served = await WaitForIssuedAsync(server.Port, TimeSpan.FromSeconds(45), "alpn.test");

        Assert.Equal(["alpn.test"], WssKit.Certificates.SubjectNames.Of(served));
        Assert.Contains(server.Log.Lines, line => line.Contains("ACME: certificate for alpn.test issued by", StringComparison.Ordinal));
        // Ordinary clients still get the served certificate, not a validation one.
        Assert.DoesNotContain(served.Extensions.Cast<X509Extension>(), extension => extension.Oid?.Value == "1.3.6.1.5.5.7.1.31");
    }

    [Fact]
    public async Task CaDown_PlaceholderServedAndTheFailureLoggedPlainly()
    {
        var httpPort = LoopbackPort.Free();
        await using var server = await TestServer.StartAsync(options =>
        {
            options.Domains = ["wss.test"];
            options.HttpPort = httpPort;
            options.AcmeDirectory = $"https://127.0.0.1:{LoopbackPort.Free()}/dir";
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!server.Log.Lines.Any(line => line.Contains("ACME: no certificate for wss.test: cannot reach the ACME server", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, string.Join('\n', server.Log.Lines));
            await Task.Delay(100);
        }
        var served = await OpenSsl.ServedCertificateAsync(server.Port, "wss.test");
        Assert.Contains("awaiting ACME", served.Subject);
        await using var client = await WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions { DangerousAcceptAnyServerCertificate = true });
        await client.SendTextAsync("served meanwhile");
        Assert.Equal("served meanwhile", (await client.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task CaDownWithAStoredCertificate_TheLastGoodOneIsServed()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var stored = Path.Combine(temp.Path, "data", "acme", "kept.test");
        Directory.CreateDirectory(stored);
        var leaf = pki.Issue(["kept.test"], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
        leaf.WriteTo(Path.Combine(stored, "fullchain.pem"), Path.Combine(stored, "privkey.pem"));

        await using var server = await TestServer.StartAsync(options =>
        {
            options.DataDirectory = Path.Combine(temp.Path, "data");
            options.Domains = ["kept.test"];
            options.HttpPort = LoopbackPort.Free();
            options.AcmeDirectory = $"https://127.0.0.1:{LoopbackPort.Free()}/dir";
        });

        var served = await OpenSsl.ServedCertificateAsync(server.Port, "kept.test");
        Assert.Equal(leaf.Serial, served.SerialNumber);
        // Fresh enough: nothing is ordered, so the CA being down does not even show.
        await Task.Delay(500);
        Assert.DoesNotContain(server.Log.Lines, line => line.Contains("ACME: no certificate", StringComparison.Ordinal));
    }

    private static async Task<X509Certificate2> WaitForIssuedAsync(int port, TimeSpan timeout, string name = "wss.test")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var served = await OpenSsl.ServedCertificateAsync(port, name);
            if (!served.Subject.Contains("awaiting ACME", StringComparison.Ordinal))
            {
                return served;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still the placeholder after {timeout}");
            await Task.Delay(250);
        }
    }
}
