using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>Endpoints that cannot be reached: each fault named by its finding id, with the evidence that shows it.</summary>
public sealed class ConnectionFaultTests
{
    [Fact]
    public async Task NothingListening_TcpRefused()
    {
        using var refusing = LoopbackPort.Refusing(out var port);

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/echo");

        var finding = report.AssertFinding("tcp-refused");
        Assert.Contains($"127.0.0.1:{port}: refused", finding.Evidence);
        Assert.DoesNotContain(report.Stages, s => s.Name == "tls" && s.Outcome != Diagnostics.StageOutcome.Skipped);
    }

    [Fact]
    public async Task UnknownHost_DnsUnresolved()
    {
        var report = await CheckLab.CheckAsync("wss://no-such-host.invalid/echo");

        Assert.Contains("no-such-host.invalid", report.AssertFinding("dns-unresolved").Evidence);
    }

    [Fact]
    public async Task NameWithAnIpv6AddressNothingListensOn_Ipv6BrokenWarningOnly()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["dual.test"]).WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));
        var hosts = Path.Combine(temp.Path, "hosts");
        await File.WriteAllTextAsync(hosts, "127.0.0.1 dual.test\n::1 dual.test\n");

        // The name resolves to both loopbacks through a hosts file of this test's own, in a private mount namespace.
        var result = await Tool.RunAsync("unshare", ["-m", "sh", "-c",
            $"mount --bind {hosts} /etc/hosts && exec dotnet {Repository.WssDll} check wss://dual.test:{server.Port}/echo --ca {pki.RootPath} --json"], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("\"id\": \"ipv6-broken\"", result.Output);
        Assert.Contains($"[::1]:{server.Port}: refused", result.Output);
    }

    [Fact]
    public async Task PlainHttpPortAsWss_TlsPlaintextPort()
    {
        await using var server = await TestServer.StartAsync(options => options.HttpPort = 0);

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{server.PlainPort}/echo", server.CaPath);

        Assert.Contains("was answered 'HTTP/1.1", report.AssertFinding("tls-plaintext-port").Evidence);
    }

    [Fact]
    public async Task DroppedPort_TcpTimeoutWithinTheStageLimit()
    {
        // A private network namespace whose firewall drops SYNs to the port: the check runs inside it, as the CLI.
        var result = await Tool.RunAsync("unshare", ["-n", "sh", "-c",
            $"ip link set lo up && iptables -A INPUT -p tcp --dport 9443 -j DROP && exec dotnet {Repository.WssDll} check wss://127.0.0.1:9443/echo --json"], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Contains("\"id\": \"tcp-timeout\"", result.Output);
        Assert.Matches(@"127\.0\.0\.1:9443: timed out after \d{4}\.\d ms", result.Output);
    }

    [Fact]
    public async Task TlsOneZeroOnly_TlsVersionUnsupported()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"], rsa: true).WriteFiles();
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0");
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        report.AssertFinding("tls-version-unsupported");
    }

    [Fact]
    public async Task LegacyVersionsStillAccepted_TlsLegacyVersionWarning()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["127.0.0.1"], rsa: true).WriteFiles();
        var (openssl, port) = await OpenSsl.ServerAsync(cert, key, "-min_protocol", "TLSv1", "-cipher", "DEFAULT:@SECLEVEL=0");
        await using var _ = openssl;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/", pki.RootPath);

        Assert.Contains("TLS 1.0 / TLS 1.1 ClientHello was answered with a ServerHello", report.AssertFinding("tls-legacy-version").Evidence);
    }

    [Fact]
    public async Task EndpointThatAcceptsAndNeverSpeaks_HandshakeFailedWithinTheTimeLimit()
    {
        using var blackHole = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blackHole.Start();
        var port = ((System.Net.IPEndPoint)blackHole.LocalEndpoint).Port;

        var report = await CheckLab.CheckAsync($"wss://127.0.0.1:{port}/echo");

        Assert.Contains("no handshake within 3 s", report.AssertFinding("tls-handshake-failed").Evidence);
        Assert.InRange(report.Took, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Ipv6AddressAnsweringPlainHttp_Ipv6BrokenAtTheTlsStep()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["dual.test"]).WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));
        // On the IPv6 loopback, the same port answers plain HTTP: TCP works on both addresses, TLS on one only.
        await using var web = PeerProcess.Start("/usr/bin/python3", ["-m", "http.server", "--bind", "::1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetworkV6);
                await probe.ConnectAsync(System.Net.IPAddress.IPv6Loopback, server.Port);
                break;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
        var hosts = Path.Combine(temp.Path, "hosts");
        await File.WriteAllTextAsync(hosts, "127.0.0.1 dual.test\n::1 dual.test\n");

        var result = await Tool.RunAsync("unshare", ["-m", "sh", "-c",
            $"mount --bind {hosts} /etc/hosts && exec dotnet {Repository.WssDll} check wss://dual.test:{server.Port}/echo --ca {pki.RootPath} --json"], TimeSpan.FromSeconds(30));

        Assert.Contains("\"id\": \"ipv6-broken\"", result.Output);
        Assert.Contains($"the TLS handshake works on 127.0.0.1:{server.Port} but fails on [::1]:{server.Port}", result.Output);
    }
}
