using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Cli;

/// <summary>`wss connect` as users run it: a pipe (lines in, lines out, --jsonl), a terminal (through `script`), and servers we did not write.</summary>
public sealed class ConnectTests
{
    [Fact]
    public async Task Pipe_EachLineIsAMessageAndEachMessageALine_ExitsZeroOnTheNormalClose()
    {
        await using var server = await TestServer.StartAsync();

        var result = await ConnectAsync("one\ntwo words\n{\"json\":true}\n", server.Url(), "--ca", server.CaPath);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("one\ntwo words\n{\"json\":true}\n", result.Output);
        Assert.Contains($"connected to {server.Url()} (Tls13", result.Error);
        Assert.Contains("closed 1000", result.Error);
    }

    [Fact]
    public async Task Jsonl_OneEventPerLine_OpenMessagesPingAndClose()
    {
        await using var server = await TestServer.StartAsync(options => options.Subprotocols = ["chat"]);

        var result = await ConnectAsync("hello\n/ping\n", server.Url(), "--ca", server.CaPath, "--jsonl", "--subprotocol", "chat");
        var events = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();

        Assert.True(result.ExitCode == 0, result.All);
        var open = Assert.Single(events, e => e.GetProperty("event").GetString() == "open");
        Assert.Equal("chat", open.GetProperty("subprotocol").GetString());
        Assert.Equal("Tls13", open.GetProperty("tls").GetProperty("protocol").GetString());
        var message = Assert.Single(events, e => e.GetProperty("event").GetString() == "message");
        Assert.Equal(("text", "hello"), (message.GetProperty("type").GetString(), message.GetProperty("data").GetString()));
        var ping = Assert.Single(events, e => e.GetProperty("event").GetString() == "ping");
        Assert.InRange(ping.GetProperty("rtt_ms").GetDouble(), 0.001, 5_000);
        Assert.Equal("close", events[^1].GetProperty("event").GetString());
        Assert.Equal(1000, events[^1].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Binary_LinesGoAsBinaryMessages()
    {
        await using var server = await TestServer.StartAsync();

        var result = await ConnectAsync("abc\n", server.Url(), "--ca", server.CaPath, "--binary", "--jsonl");
        var message = result.Output.Split('\n').Select(line => JsonDocument.Parse(line).RootElement).First(e => e.GetProperty("event").GetString() == "message");

        Assert.Equal("binary", message.GetProperty("type").GetString());
        Assert.Equal("YWJj", message.GetProperty("base64").GetString());
    }

    [Theory]
    [InlineData("close 4001 maintenance", 1, "closed 4001 maintenance")]
    [InlineData("close 1001 restarting", 0, "closed 1001 restarting")]
    public async Task NodeServerCloses_ExitCodeFollowsTheCloseCode(string command, int exitCode, string printed)
    {
        await using var node = await PeerServer.NodeAsync();

        var result = await ConnectAsync(command + "\n", node.Url());

        Assert.True(result.ExitCode == exitCode, result.All);
        Assert.Contains(printed, result.Error);
    }

    [Fact]
    public async Task NodeServerOverTls_HeadersOriginSubprotocolAndTheHandshakeShown()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var node = await PeerServer.NodeAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), "--protocol", "chat.v2");

        var result = await ConnectAsync("headers\n", node.Url(), "--ca", pki.RootPath, "-H", "Authorization: Bearer t0ken", "--origin", "https://app.example.com",
            "--subprotocol", "chat.v3", "--subprotocol", "chat.v2", "--show-handshake");
        var headers = JsonDocument.Parse(result.Output).RootElement;

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal("Bearer t0ken", headers.GetProperty("authorization").GetString());
        Assert.Equal("https://app.example.com", headers.GetProperty("origin").GetString());
        Assert.Contains("subprotocol chat.v2", result.Error);
        Assert.Contains("HTTP/1.1 101 Switching Protocols", result.Error);
        Assert.Contains("Sec-WebSocket-Accept:", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("issued by CN=Test Intermediate CA", result.Error);
    }

    [Fact]
    public async Task PythonServerWithMutualTls_CertAndKeyIdentifyTheClient_WithoutThemOneLineSaysWhy()
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var python = await PeerServer.PythonAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), "--client-ca", pki.RootPath);
        var (cert, key) = pki.Issue(["sensor-7"], client: true).WriteFiles();

        var identified = await ConnectAsync("whoami\n", python.Url(), "--ca", pki.RootPath, "--cert", cert, "--key", key);
        var anonymous = await ConnectAsync("whoami\n", python.Url(), "--ca", pki.RootPath);

        Assert.True(identified.ExitCode == 0, identified.All);
        Assert.Equal("sensor-7\n", identified.Output);
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Equal("wss: tls: the server asked for a client certificate and hung up without one: it requires mutual TLS (give a client certificate: ClientCertificate; wss connect --cert and --key)", anonymous.Error.Trim());
    }

    [Theory]
    [InlineData("node")]
    [InlineData("python")]
    public async Task BehindNginx_PipeEchoes(string peer)
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        await using var upstream = peer == "node" ? await PeerServer.NodeAsync() : await PeerServer.PythonAsync();
        await using var nginx = await ReverseProxy.StartAsync(pki.Issue(["127.0.0.1"]).WriteFiles(), upstream.Port);

        var result = await ConnectAsync("through nginx\nsecond\n", nginx.Url("/live"), "--ca", pki.RootPath);

        Assert.True(result.ExitCode == 0, result.All + nginx.Log);
        Assert.Equal("through nginx\nsecond\n", result.Output);
    }

    [Fact]
    public async Task ProxyFlag_TunnelsThroughTinyproxyWithCredentials()
    {
        await using var server = await TestServer.StartAsync();
        await using var proxy = await ForwardProxy.StartAsync("bob", "pa55");

        var tunnelled = await ConnectAsync("proxied\n", server.Url(), "--ca", server.CaPath, "--proxy", proxy.Url.ToString());
        var refused = await ConnectAsync("proxied\n", server.Url(), "--ca", server.CaPath, "--proxy", proxy.AnonymousUrl.ToString());

        Assert.True(tunnelled.ExitCode == 0, tunnelled.All);
        Assert.Equal("proxied\n", tunnelled.Output);
        Assert.Contains($"CONNECT 127.0.0.1:{server.Port}", proxy.Log);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"wss: proxy: the proxy 127.0.0.1:{proxy.Port} wants credentials (407)", refused.Error.Trim());
    }

    [Fact]
    public async Task UntrustedCertificate_FailsInOneLine_InsecureConnectsWithALoudWarning()
    {
        await using var server = await TestServer.StartAsync();

        var refused = await ConnectAsync("hi\n", server.Url());
        var insecure = await ConnectAsync("hi\n", server.Url(), "--insecure");

        Assert.Equal(1, refused.ExitCode);
        var line = Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("wss: tls: the certificate", line);
        Assert.Contains("WssKit development CA", line);
        Assert.True(insecure.ExitCode == 0, insecure.All);
        Assert.Equal("hi\n", insecure.Output);
        Assert.Contains("WARNING: --insecure: the server's certificate is NOT checked", insecure.Error);
    }

    [Fact]
    public async Task MessageOverTheServersLimit_Closed1009AndExitsOne()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxMessageSize = 1000);

        var result = await ConnectAsync(new string('a', 200_000) + "\n", server.Url(), "--ca", server.CaPath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("closed 1009 message too big", result.Error);
        Assert.DoesNotContain("unexpected error", result.Error);
    }

    [Fact]
    public async Task Pipe_CtrlC_ClosesCleanlyWith1000()
    {
        await using var server = await TestServer.StartAsync();
        await using var connect = PeerProcess.Start("dotnet", [Repository.WssDll, "connect", server.Url(), "--ca", server.CaPath, "--jsonl"]);
        await connect.WaitForAsync("open");
        await connect.SendAsync("still typing");
        await connect.WaitForAsync("message");

        connect.Signal(Signals.SIGINT);

        Assert.Equal(1000, (await connect.WaitForAsync("close")).GetProperty("code").GetInt32());
        Assert.Equal(0, await connect.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Pipe_ServerClosesWhileTheInputIsOpen_EndsAtOnceWithTheServersCode()
    {
        await using var node = await PeerServer.NodeAsync();
        await using var connect = PeerProcess.Start("dotnet", [Repository.WssDll, "connect", node.Url(), "--jsonl"]);
        await connect.WaitForAsync("open");

        await connect.SendAsync("close 4002 shutting down");

        var close = await connect.WaitForAsync("close");
        Assert.Equal((4002, "shutting down"), (close.GetProperty("code").GetInt32(), close.GetProperty("reason").GetString()));
        Assert.Equal(1, await connect.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("http://example.com/", "is not a WebSocket URL: use ws://host/path or wss://host/path")]
    [InlineData("wss://127.0.0.1:1/ --cert c.pem", "--cert and --key go together")]
    [InlineData("wss://127.0.0.1:1/ -H NoColon", "--header 'NoColon' is not 'Name: value'")]
    [InlineData("wss://127.0.0.1:1/ --wait -1", "--wait at least 0")]
    public async Task BadArguments_OneLineAndExitCode2(string arguments, string message)
    {
        var result = await ConnectAsync("", arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public async Task Terminal_PromptSendsLinesRecallsHistoryPingsAndClosesWithTheGivenCode()
    {
        await using var server = await TestServer.StartAsync();
        var wss = $"dotnet {Repository.WssDll} connect {server.Url()} --ca {server.CaPath}";
        // Keys as a person types them, paced so each lands once the prompt is up: a line, Up + Enter to send it
        // again, /ping, and /close with a code that is not a normal closure.
        var typing = "sleep 3; printf 'hello\\r'; sleep 1; printf '\\033[A\\r'; sleep 1; printf '/ping\\r'; sleep 1; printf '/close 4000 done\\r'; sleep 2";

        var result = await Tool.RunAsync("bash", ["-c", $"({typing}) | script -qfec '{wss}' /dev/null"], TimeSpan.FromSeconds(60));
        var screen = result.Output.Replace("\u001b[K", "", StringComparison.Ordinal);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, screen.Split("< hello").Length - 1);
        Assert.Matches(@"pong in \d+\.\d ms", screen);
        Assert.Contains("closed 4000", screen);
    }

    private static Task<ToolResult> ConnectAsync(string input, params string[] arguments)
        => Tool.RunAsync("dotnet", [Repository.WssDll, "connect", .. arguments], TimeSpan.FromSeconds(30), input: input,
            environment: new Dictionary<string, string> { ["HTTPS_PROXY"] = "", ["HTTP_PROXY"] = "", ["ALL_PROXY"] = "" });
}
