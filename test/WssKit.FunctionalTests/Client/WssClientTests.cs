using WssKit.Client;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Client;

/// <summary>WssKit's client against wss serve, and the failure of each stage named for what it is.</summary>
public sealed class WssClientTests
{
    [Fact]
    public async Task Connect_DevServerTrustingItsCa_EchoesPingsAndClosesCleanly()
    {
        await using var server = await TestServer.StartAsync(options => (options.Subprotocols, options.Compression) = (["chat"], true));
        await using var client = await WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions { TrustedCaFile = server.CaPath, Subprotocols = ["chat"] });

        Assert.Equal("chat", client.SubProtocol);
        Assert.NotNull(client.Compression);
        Assert.Equal("Tls13", client.Tls!.Protocol);
        await client.SendTextAsync("hello");
        Assert.Equal("hello", (await client.ReceiveAsync()).Text);
        var big = new byte[300_000];
        Random.Shared.NextBytes(big);
        await client.SendAsync(big, text: false);
        var echoed = await client.ReceiveAsync();
        Assert.Equal(WssMessageKind.Binary, echoed.Kind);
        Assert.Equal(big, echoed.Data.ToArray());
        var receiving = client.ReceiveAsync().AsTask();
        var roundTrip = await client.PingAsync();
        Assert.InRange(roundTrip, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        await client.SendCloseAsync(1000, "done");
        var close = await receiving;
        Assert.Equal(WssMessageKind.Close, close.Kind);
        Assert.Equal(1000, close.CloseCode);
    }

    [Fact]
    public async Task Connect_NothingListening_TcpStageSaysRefused()
    {
        using var refusing = LoopbackPort.Refusing(out var port);

        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri($"wss://127.0.0.1:{port}/echo")));

        Assert.Equal(ConnectStage.Tcp, error.Stage);
        Assert.Contains($"127.0.0.1:{port} refused the connection", error.Message);
    }

    [Fact]
    public async Task Connect_UnknownHost_DnsStage()
    {
        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri("wss://no-such-host.invalid/echo")));
        Assert.Equal(ConnectStage.Dns, error.Stage);
        Assert.Contains("no-such-host.invalid does not resolve", error.Message);
    }

    [Fact]
    public async Task Connect_UntrustedDevelopmentCa_TlsStageNamesTheUntrustedRoot()
    {
        await using var server = await TestServer.StartAsync();
        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url())));
        Assert.Equal(ConnectStage.Tls, error.Stage);
        Assert.Contains("is issued by CN=WssKit development CA", error.Message);
        Assert.Contains("which the server did not send and this machine does not trust", error.Message);
    }

    [Fact]
    public async Task Connect_NameNotOnTheCertificate_TlsStageSaysWhichNamesItHas()
    {
        await using var server = await TestServer.StartAsync();
        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url()),
            new WssClientOptions { TrustedCaFile = server.CaPath, ServerName = "other.example" }));
        Assert.Equal(ConnectStage.Tls, error.Stage);
        Assert.Contains("the certificate is for localhost", error.Message);
        Assert.Contains("not other.example", error.Message);
    }

    [Fact]
    public async Task Connect_ExpiredCertificate_TlsStageSaysWhenItExpired()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["localhost"], DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)).WriteFiles();
        await using var tlsServer = OpenSslServer(cert, key, out var port);

        var error = await ConnectEventuallyAsync(port, pki.RootPath);

        Assert.Equal(ConnectStage.Tls, error.Stage);
        Assert.Contains("the certificate localhost expired on", error.Message);
    }

    [Fact]
    public async Task Connect_ChainWithoutIntermediate_TlsStageSaysTheChainIsIncomplete()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["localhost"]).WriteFiles(withIntermediate: false);
        await using var tlsServer = OpenSslServer(cert, key, out var port);

        var error = await ConnectEventuallyAsync(port, pki.RootPath);

        Assert.Equal(ConnectStage.Tls, error.Stage);
        Assert.Contains("the certificate localhost is issued by CN=Test Intermediate CA, which the server did not send", error.Message);
        Assert.Contains("if it is an intermediate, the server must send its full chain", error.Message);
    }

    /// <summary>openssl s_server, a TLS server we did not write, serving exactly the given files.</summary>
    private static PeerProcess OpenSslServer(string cert, string key, out int port)
    {
        port = LoopbackPort.Free();
        return PeerProcess.Start("openssl", ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", cert, "-key", key, "-www", "-quiet"]);
    }

    private static async Task<WssConnectException> ConnectEventuallyAsync(int port, string ca)
    {
        for (var attempt = 0; ; attempt++)
        {
            var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri($"wss://localhost:{port}/"),
                new WssClientOptions { TrustedCaFile = ca, ServerName = "localhost" }));
            if (error.Stage != ConnectStage.Tcp || attempt == 50)
            {
                return error;
            }
            await Task.Delay(100); // s_server is still starting
        }
    }

    [Fact]
    public async Task Connect_PlainWsToATlsPort_TlsStageSuggestsTheScheme()
    {
        await using var server = await TestServer.StartAsync();
        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url(scheme: "ws"))));
        Assert.Equal(ConnectStage.Upgrade, error.Stage);
        Assert.Contains("400", error.Message);
        Assert.Contains("This port speaks TLS", error.Message);
    }

    [Fact]
    public async Task Connect_OriginRefused_UpgradeStageWithStatusAndReason()
    {
        await using var server = await TestServer.StartAsync(options => options.AllowedOrigins = ["https://app.example.com"]);
        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url()),
            new WssClientOptions { TrustedCaFile = server.CaPath, Origin = "https://evil.example.net" }));
        Assert.Equal(ConnectStage.Upgrade, error.Stage);
        Assert.Equal(403, error.StatusCode);
        Assert.True(error.Message.Contains("the server answered 403 Forbidden instead of 101 Switching Protocols: the origin https://evil.example.net is not allowed", StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task Connect_WrongPath_UpgradeStage404()
    {
        await using var server = await TestServer.StartAsync();
        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url("/nope")), new WssClientOptions { TrustedCaFile = server.CaPath }));
        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Connect_WssToAPlainHttpPort_TlsStageSuggestsPlainHttp()
    {
        await using var server = await TestServer.StartAsync(options => options.HttpPort = 0);

        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri($"wss://127.0.0.1:{server.PlainPort}/echo")));

        Assert.Equal(ConnectStage.Tls, error.Stage);
        Assert.Contains("is this a plain HTTP port? (ws:// instead of wss://", error.Message);
    }
}
