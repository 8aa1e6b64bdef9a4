using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>
/// Hot reload: certificate files replaced while a connection is open (as certbot renews them): the open connection
/// keeps echoing, new handshakes get the new certificate within seconds, and a broken replacement keeps the old one.
/// </summary>
public sealed class CertificateReloadTests
{
    private static readonly TimeSpan WithinSeconds = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task ReplacedFiles_ConnectionOpen_KeepsEchoingAndNewHandshakesGetTheNewSerial()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var first = pki.Issue(["localhost", "127.0.0.1"]);
        var (cert, key) = first.WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));
        await using var node = PeerProcess.Node(server.Url(), "--ca", pki.RootPath);
        await node.WaitForAsync("open");
        Assert.Equal("before", await node.EchoAsync("before"));

        var renewed = pki.Issue(["localhost", "127.0.0.1"]);
        renewed.WriteTo(cert, key);

        await WaitForServedSerialAsync(server.Port, renewed.Serial);
        Assert.Equal("after", await node.EchoAsync("after"));
        await using var fresh = PeerProcess.Node(server.Url(), "--ca", pki.RootPath);
        await fresh.WaitForAsync("open");
        Assert.Equal("new connection", await fresh.EchoAsync("new connection"));
        Assert.True(await server.MetricAsync("wss_certificate_reloads_total{site=\"default\",result=\"replaced\"}") >= 1);
    }

    [Fact]
    public async Task BrokenReplacement_KeepsTheOldCertificateAndLogsTheError()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var first = pki.Issue(["localhost", "127.0.0.1"]);
        var (cert, key) = first.WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));

        await File.WriteAllTextAsync(cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        var deadline = DateTime.UtcNow + WithinSeconds;
        while (!server.Log.Lines.Any(line => line.Contains("failed, the previous certificate stays in service", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no reload failure was logged:\n" + server.Log);
            await Task.Delay(100);
        }

        Assert.Equal(first.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "localhost")).SerialNumber);
        Assert.Contains(server.Log.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(cert, StringComparison.Ordinal));
        Assert.True(await server.MetricAsync("wss_certificate_reloads_total{site=\"default\",result=\"failed\"}") >= 1);
        await using var node = PeerProcess.Node(server.Url(), "--ca", pki.RootPath);
        await node.WaitForAsync("open");
        Assert.Equal("still served", await node.EchoAsync("still served"));
    }

    [Fact]
    public async Task ExpiredReplacement_IsRefusedAndTheOldCertificateStays()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var first = pki.Issue(["localhost"]);
        var (cert, key) = first.WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));

        pki.Issue(["localhost"], DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1)).WriteTo(cert, key);
        var deadline = DateTime.UtcNow + WithinSeconds;
        while (!server.Log.Lines.Any(line => line.Contains("expired", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no expiry refusal was logged:\n" + server.Log);
            await Task.Delay(100);
        }
        Assert.Equal(first.Serial, (await OpenSsl.ServedCertificateAsync(server.Port, "localhost")).SerialNumber);
    }

    [Fact]
    public async Task Sighup_CliServer_ReloadsAndKeepsServing()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["localhost", "127.0.0.1"]).WriteFiles();
        await using var server = await CliServer.StartAsync(["--cert", cert, "--key", key]);

        server.Signal(Signals.SIGHUP);
        await server.WaitForOutputAsync("Certificate reload requested for default: unchanged");

        var renewed = pki.Issue(["localhost", "127.0.0.1"]);
        renewed.WriteTo(cert, key);
        await WaitForServedSerialAsync(server.Port, renewed.Serial);
        server.Signal(Signals.SIGHUP);
        await server.WaitForOutputAsync($"serving serial {renewed.Serial}");
        await using var node = PeerProcess.Node(server.Url(), "--ca", pki.RootPath);
        await node.WaitForAsync("open");
        Assert.Equal("after sighup", await node.EchoAsync("after sighup"));
    }

    private static async Task WaitForServedSerialAsync(int port, string serial)
    {
        var deadline = DateTime.UtcNow + WithinSeconds;
        while (true)
        {
            var served = await OpenSsl.ServedCertificateAsync(port, "localhost");
            if (served.SerialNumber == serial)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still serving {served.SerialNumber}, not {serial}, after {WithinSeconds}");
            await Task.Delay(250);
        }
    }
}
