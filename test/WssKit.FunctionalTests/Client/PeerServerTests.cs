using System.Text.Json;
using WssKit.Client;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Client;

/// <summary>WssKit's client against servers we did not write: Node's ws and Python's websockets, directly and behind nginx.</summary>
public sealed class PeerServerTests
{
    [Fact]
    public async Task Node_OverTls_SendsHeadersOriginAndSubprotocolAndReadsTheServersClose()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var server = await PeerServer.NodeAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), "--protocol", "chat.v2");

        await using var client = await WssClient.ConnectAsync(new Uri(server.Url("/feed")), new WssClientOptions
        {
            TrustedCaFile = pki.RootPath,
            Origin = "https://app.example.com",
            Subprotocols = ["chat.v3", "chat.v2"],
            Headers = [KeyValuePair.Create("Authorization", "Bearer t0ken")],
        });
        await client.SendTextAsync("headers");
        var headers = JsonDocument.Parse((await client.ReceiveAsync()).Text!).RootElement;
        await client.SendTextAsync("close 4001 maintenance");
        var close = await client.ReceiveAsync();

        Assert.Equal("chat.v2", client.SubProtocol);
        Assert.NotNull(client.Compression);
        Assert.Equal("https://app.example.com", headers.GetProperty("origin").GetString());
        Assert.Equal("Bearer t0ken", headers.GetProperty("authorization").GetString());
        Assert.Equal((WssMessageKind.Close, 4001, "maintenance"), (close.Kind, close.CloseCode, close.CloseReason));
    }

    [Fact]
    public async Task Python_MutualTls_ServerSeesTheClientCertificate()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var server = await PeerServer.PythonAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), "--client-ca", pki.RootPath);
        var identity = pki.Issue(["device-42"], client: true);
        var (certFile, keyFile) = identity.WriteFiles();
        var clientCertificate = Certificates.Files.CertificateFiles.LoadPem(certFile, keyFile);

        await using var client = await WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions
        {
            TrustedCaFile = pki.RootPath,
            ClientCertificate = clientCertificate.Leaf,
            ClientCertificateIntermediates = clientCertificate.Chain,
        });
        await client.SendTextAsync("whoami");

        Assert.Equal("device-42", (await client.ReceiveAsync()).Text);
    }

    [Fact]
    public async Task Python_MutualTlsWithoutACertificate_FailsNamingTheMissingCertificate()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var server = await PeerServer.PythonAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), "--client-ca", pki.RootPath);

        var error = await Assert.ThrowsAsync<WssConnectException>(() => WssClient.ConnectAsync(new Uri(server.Url()), new WssClientOptions { TrustedCaFile = pki.RootPath }));

        Assert.Contains("client certificate", error.Message);
    }

    [Theory]
    [InlineData("node")]
    [InlineData("python")]
    public async Task BehindNginx_EchoesTextAndBinary(string peer)
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var upstream = peer == "node" ? await PeerServer.NodeAsync() : await PeerServer.PythonAsync();
        await using var nginx = await ReverseProxy.StartAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), upstream.Port);

        await using var client = await WssClient.ConnectAsync(new Uri(nginx.Url()), new WssClientOptions { TrustedCaFile = pki.RootPath });
        await client.SendTextAsync("via nginx");
        var text = await client.ReceiveAsync();
        var payload = new byte[200_000];
        Random.Shared.NextBytes(payload);
        await client.SendAsync(payload, text: false);
        var binary = await client.ReceiveAsync();
        var close = await client.CloseAsync();

        Assert.Equal("via nginx", text.Text);
        Assert.Equal(payload, binary.Data.ToArray());
        Assert.Equal(1000, close.CloseCode);
    }
}
