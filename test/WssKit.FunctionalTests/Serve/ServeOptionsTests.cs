using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>`wss serve` options as users give them: files made with openssl, passwords from files and variables, log formats.</summary>
public sealed class ServeOptionsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TestPki _pki;

    public ServeOptionsTests() => _pki = new TestPki(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Pfx_PasswordFromEnvironmentVariable_EchoesOverWss()
    {
        var (cert, key) = _pki.Issue(["localhost", "127.0.0.1"], rsa: true).WriteFiles();
        var pfx = _temp.File("server.pfx");
        var export = await Tool.RunAsync("openssl", ["pkcs12", "-export", "-in", cert, "-inkey", key, "-out", pfx, "-passout", "pass:pfx-secret"]);
        Assert.True(export.ExitCode == 0, export.All);

        await using var server = await CliServer.StartAsync(["--pfx", pfx, "--pfx-password-env", "SERVER_PFX_PASSWORD"],
            new Dictionary<string, string> { ["SERVER_PFX_PASSWORD"] = "pfx-secret" });

        Assert.Contains($"from        {pfx}", server.Output);
        Assert.DoesNotContain("pfx-secret", server.Output);
        await using var node = PeerProcess.Node(server.Url(), "--ca", _pki.RootPath);
        await node.WaitForAsync("open");
        Assert.Equal("over pfx", await node.EchoAsync("over pfx"));
    }

    [Fact]
    public async Task EncryptedKey_PasswordFile_EchoesOverWss()
    {
        var (cert, key) = _pki.Issue(["localhost", "127.0.0.1"]).WriteFiles();
        var encrypted = key + ".enc";
        var convert = await Tool.RunAsync("openssl", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", key, "-out", encrypted, "-passout", "pass:key-secret"]);
        Assert.True(convert.ExitCode == 0, convert.All);
        var passwordFile = _temp.Write("key-password", "key-secret\n");

        await using var server = await CliServer.StartAsync(["--cert", cert, "--key", encrypted, "--key-password-file", passwordFile]);

        await using var python = PeerProcess.Python(server.Url(), "--ca", _pki.RootPath);
        await python.WaitForAsync("open");
        Assert.Equal("over an encrypted key", await python.EchoAsync("over an encrypted key"));
    }

    [Fact]
    public async Task Insecure_Start_PrintsALoudWarningAndServesWs()
    {
        await using var server = await CliServer.StartAsync(["--insecure", "--http-port", "0"]);

        Assert.Contains("WARNING plain ws:// is served (--insecure): traffic on the HTTP port is NOT encrypted", server.Output);
        Assert.Matches(@"plain HTTP\s+ws://localhost:\d+/echo \(unencrypted ws://\)", server.Output);
    }

    [Theory]
    [InlineData("openssl", @"\n  tls\s+OpenSSL 3\.\d+\.\d+, driven directly\n")]
    [InlineData("dotnet", @"\n  tls\s+\.NET SslStream \(on OpenSSL 3\.\d+\.\d+\)\n")]
    public async Task TlsEngine_Start_BannerNamesWhatServesTlsAndTheOpenSslVersion(string engine, string expected)
    {
        await using var server = await CliServer.StartAsync(["--tls-engine", engine]);

        Assert.Matches(expected, server.Output);
    }

    [Fact]
    public async Task LogFormatJson_WritesOneJsonObjectPerLineToStandardError()
    {
        await using var server = await CliServer.StartAsync(["--log-format", "json"]);
        await server.WaitForOutputAsync("stderr: {");

        var logLines = server.Output.Split('\n').Where(line => line.StartsWith("stderr: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(logLines);
        foreach (var line in logLines)
        {
            using var entry = JsonDocument.Parse(line["stderr: ".Length..]);
            Assert.True(entry.RootElement.TryGetProperty("EventId", out _), line);
            Assert.True(entry.RootElement.TryGetProperty("Timestamp", out _), line);
        }
        Assert.Contains(logLines, line => line.Contains("\"EventId\":1001", StringComparison.Ordinal) && line.Contains("Listening on", StringComparison.Ordinal));
    }
}
