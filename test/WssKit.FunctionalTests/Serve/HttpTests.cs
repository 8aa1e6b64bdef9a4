using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>The HTTP side, seen from curl: plain HTTP redirects, ws:// refusal, HSTS, plain HTTP on the TLS port, the info endpoints.</summary>
public sealed class HttpTests
{
    [Fact]
    public async Task PlainHttpPort_PageRequest_RedirectsToHttpsWith308()
    {
        await using var server = await TestServer.StartAsync(options => options.HttpPort = 0);

        var result = await Curl(["-sS", "-o", "/dev/null", "-D", "-", $"http://127.0.0.1:{server.PlainPort}/healthz?full=1"]);

        Assert.Contains("HTTP/1.1 308", result.Output);
        Assert.Contains($"Location: https://127.0.0.1:{server.Port}/healthz?full=1", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PlainHttpPort_WsUpgrade_RefusedWith426NamingTheWssUrl()
    {
        await using var server = await TestServer.StartAsync(options => options.HttpPort = 0);

        await using var node = PeerProcess.Node($"ws://127.0.0.1:{server.PlainPort}/echo");
        var refused = await node.WaitForAsync("unexpected-response");

        Assert.Equal(426, refused.GetProperty("status").GetInt32());
        Assert.Contains($"wss://127.0.0.1:{server.Port}/echo", refused.GetProperty("body").GetString());
        Assert.Equal(1, await server.MetricAsync("wss_handshakes_failed_total{stage=\"upgrade\",reason=\"insecure-ws\"}"));
    }

    [Fact]
    public async Task Hsts_HttpsResponseForAPublicName_CarriesStrictTransportSecurity()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["chat.example.test"]).WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));

        var result = await Curl(["-sS", "-o", "/dev/null", "-D", "-", "--cacert", pki.RootPath,
            "--resolve", $"chat.example.test:{server.Port}:127.0.0.1", $"https://chat.example.test:{server.Port}/"]);

        Assert.Contains("HTTP/2 200", result.Output);
        Assert.Contains("strict-transport-security: max-age=31536000", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Hsts_Localhost_NotSent()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Curl(["-sS", "-o", "/dev/null", "-D", "-", "--cacert", server.CaPath, $"https://localhost:{server.Port}/healthz",
            "--resolve", $"localhost:{server.Port}:127.0.0.1"]);

        Assert.Contains(" 200", result.Output);
        Assert.DoesNotContain("strict-transport-security", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PlainHttpOnTlsPort_Request_Gets400SayingToUseTls()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Curl(["-sS", "-i", $"http://127.0.0.1:{server.Port}/echo"]);

        Assert.Contains("HTTP/1.1 400", result.Output);
        Assert.Contains("This port speaks TLS: use https:// or wss://", result.Output);
        Assert.Equal(1, await server.MetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"plaintext-http\"}"));
    }

    [Fact]
    public async Task InfoEndpoints_OverHttps_ServeHealthMetricsAndHomePage()
    {
        await using var server = await TestServer.StartAsync();
        string[] trust = ["-sS", "--cacert", server.CaPath, "--resolve", $"localhost:{server.Port}:127.0.0.1"];
        var root = $"https://localhost:{server.Port}";

        var health = await Curl([.. trust, root + "/healthz"]);
        Assert.Contains("\"status\":\"ok\"", health.Output);
        Assert.Contains("\"site\":\"default\"", health.Output);
        var metrics = await Curl([.. trust, root + "/metrics"]);
        Assert.Contains("# TYPE wss_connections_open gauge", metrics.Output);
        Assert.Matches(@"wss_certificate_expiry_seconds\{site=""default""\} \d{5,}", metrics.Output);
        Assert.Contains("process_working_set_bytes", metrics.Output);
        var home = await Curl([.. trust, root + "/"]);
        Assert.Contains("<h1>WssKit server</h1>", home.Output);
        var missing = await Curl([.. trust, "-o", "/dev/null", "-w", "%{http_code}", root + "/nope"]);
        Assert.Equal("404", missing.Output);
    }

    [Fact]
    public async Task EchoPath_PlainGet_Gets426ExplainingItIsAWebSocketEndpoint()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Curl(["-sS", "-i", "--http1.1", "--cacert", server.CaPath, "--resolve", $"localhost:{server.Port}:127.0.0.1", $"https://localhost:{server.Port}/echo"]);

        Assert.Contains("HTTP/1.1 426", result.Output);
        Assert.Contains("is a WebSocket endpoint", result.Output);
    }

    [Fact]
    public async Task Upgrade_WrongWebSocketVersion_Gets426WithSupportedVersion()
    {
        await using var server = await TestServer.StartAsync();

        var result = await Curl(["-sS", "-i", "--http1.1", "--cacert", server.CaPath, "--resolve", $"localhost:{server.Port}:127.0.0.1",
            "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 8", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            $"https://localhost:{server.Port}/echo"]);

        Assert.Contains("HTTP/1.1 426", result.Output);
        Assert.Contains("Sec-WebSocket-Version: 13", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<ToolResult> Curl(string[] arguments)
    {
        var result = await Tool.RunAsync("curl", [.. arguments, "--max-time", "10"]);
        Assert.True(result.ExitCode == 0, $"curl {string.Join(' ', arguments)} failed: {result.All}");
        return result;
    }
}
