using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>Echo over wss:// from clients we did not write, trusting the development CA as exported by `wss cert ca`.</summary>
public sealed class EchoTests
{
    [Fact]
    public async Task Echo_NodeWsTrustingExportedDevCa_EchoesTextAndBinary()
    {
        await using var server = await TestServer.StartAsync();
        using var temp = new TempDirectory();
        var exported = await ExportCaAsync(server, temp);
        await using var node = PeerProcess.Node(server.Url(), "--ca", exported);
        await node.WaitForAsync("open");

        Assert.Equal("hello over wss", await node.EchoAsync("hello over wss"));
        await node.SendAsync("sendbin 300000");
        var sent = await node.WaitForAsync("sent");
        var echoed = await node.WaitForAsync("message");
        Assert.True(echoed.GetProperty("binary").GetBoolean());
        Assert.Equal(sent.GetProperty("sha256").GetString(), echoed.GetProperty("sha256").GetString());

        await node.SendAsync("close 1000 done");
        var close = await node.WaitForAsync("close");
        Assert.Equal(1000, close.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Echo_PythonWebsocketsTrustingExportedDevCa_Echoes()
    {
        await using var server = await TestServer.StartAsync();
        using var temp = new TempDirectory();
        var exported = await ExportCaAsync(server, temp);
        await using var python = PeerProcess.Python(server.Url(), "--ca", exported);
        await python.WaitForAsync("open");

        Assert.Equal("hello from python", await python.EchoAsync("hello from python"));
        await python.SendAsync("close 1000 done");
        Assert.Equal(1000, (await python.WaitForAsync("close")).GetProperty("code").GetInt32());
        Assert.Equal(1, await server.MetricAsync("wss_connections_total"));
    }

    [Fact]
    public async Task OpensslSClient_VerifyReturnError_AcceptsTheDevelopmentChain()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Tool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-verify_return_error",
             "-verify_hostname", "localhost", "-CAfile", server.CaPath, "-brief"], input: "Q\n");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("Verification: OK", result.All);
        Assert.Matches("Protocol version: TLSv1\\.[23]", result.All);
    }

    [Fact]
    public async Task OpensslSClient_VerifyReturnError_AcceptsAFullChainFromFiles()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["localhost", "127.0.0.1"], rsa: true).WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));

        var result = await Tool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-verify_return_error",
             "-verify_hostname", "localhost", "-CAfile", pki.RootPath, "-showcerts"], input: "Q\n");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("Verify return code: 0 (ok)", result.All);
        Assert.Contains("i:CN = Test Intermediate CA", result.All);
    }

    private static async Task<string> ExportCaAsync(TestServer server, TempDirectory temp)
    {
        var exported = temp.File("wsskit-ca.pem");
        var result = await Tool.RunAsync("dotnet", [Repository.WssDll, "cert", "ca", "--export", exported, "--data-dir", server.DataDirectory]);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(exported));
        return exported;
    }
}
