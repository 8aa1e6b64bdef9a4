using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WssKit.FunctionalTests.Infrastructure;
using WssKit.Protocol.Framing;
using WssKit.Server.Configuration;

namespace WssKit.FunctionalTests.Serve;

/// <summary>
/// The native TLS layer (OpenSSL 3 driven directly under Kestrel) against peers we did not write: both engines echo
/// the same, TLS 1.2 clients get a forward-secret AEAD suite, sessions resume from a ticket, renegotiation is refused
/// without harm to others, a TLS 1.3 KeyUpdate is followed, records cut into one-byte segments are reassembled, a
/// request that arrives with the client's Finished is kept (and the session ticket leaves with its answer), half-finished
/// handshakes are counted and cut off, closes end with close_notify (sent with the close frame), and large echoes, made
/// into records straight from their payload, leave in as few records as one write, and in one send. What a connection
/// asks the kernel is counted with strace: no read that finds nothing after the ClientHello, one shutdown. Certificate
/// reload under this engine is covered by <see cref="CertificateReloadTests"/> (it is the default engine).
/// </summary>
public sealed class NativeTlsTests
{
    private const string HealthRequest = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    [Theory]
    [InlineData(TlsEngine.OpenSsl)]
    [InlineData(TlsEngine.DotNet)]
    public async Task Echo_EitherEngine_TextAndOneMebibyteBinaryByteForByteOverTls13(TlsEngine engine)
    {
        await using var server = await TestServer.StartAsync(options => (options.TlsEngine, options.MaxMessageSize) = (engine, 4 << 20));
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");

        Assert.Equal("before the big one", await node.EchoAsync("before the big one"));
        await node.SendAsync("sendbin 1048576");
        var sent = await node.WaitForAsync("sent");
        var echoed = await node.WaitForAsync("message", TimeSpan.FromSeconds(30));
        Assert.True(echoed.GetProperty("binary").GetBoolean());
        Assert.Equal(1 << 20, echoed.GetProperty("length").GetInt32());
        Assert.Equal(sent.GetProperty("sha256").GetString(), echoed.GetProperty("sha256").GetString());
        Assert.Equal("after the big one", await node.EchoAsync("after the big one"));

        var handshake = await OpenSsl.SClientAsync(server.Port, "localhost", ["-brief", "-CAfile", server.CaPath, "-verify_return_error"]);
        Assert.True(handshake.ExitCode == 0, handshake.All);
        Assert.Contains("Protocol version: TLSv1.3", handshake.All);
        Assert.Equal(engine == TlsEngine.DotNet, SslStreamServed(server));

        await node.SendAsync("close 1000 done");
        Assert.Equal(1000, (await node.WaitForAsync("close")).GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData(TlsEngine.OpenSsl, "openssl")]
    [InlineData(TlsEngine.DotNet, "dotnet")]
    public async Task TlsInUse_EitherEngine_ReportAndMetricNameTheEngineAndTheSystemsOpenSsl(TlsEngine engine, string label)
    {
        // The library as OpenSSL's own tool reports it: "OpenSSL 3.0.22 25 Aug 2026 (Library: OpenSSL 3.0.22 25 Aug 2026)".
        var tool = await Tool.RunAsync("openssl", ["version"], TimeSpan.FromSeconds(10));
        var version = Regex.Match(tool.Output, @"Library: (OpenSSL \S+)") is { Success: true } match ? match.Groups[1].Value
            : string.Join(' ', tool.Output.Split(' ').Take(2));
        Assert.StartsWith("OpenSSL 3.", version);

        await using var server = await TestServer.StartAsync(options => options.TlsEngine = engine);

        Assert.Equal(engine == TlsEngine.OpenSsl ? $"{version}, driven directly" : $".NET SslStream (on {version})", server.Server.Report.Tls);
        Assert.Equal(1, await server.MetricAsync($"wss_tls_info{{engine=\"{label}\",library=\"{version}\"}}"));
    }

    [Fact]
    public async Task ClientStopsReading_NativeEngine_EchoesQueueBehindTheFullSocketAndArriveWholeAndInOrder()
    {
        // Six echoes of 3 MiB and more while the client reads nothing: more than the kernel's buffers of both sockets
        // hold, so OpenSSL's records queue behind them, and what the socket takes later must be each message whole, in
        // the order sent.
        await using var server = await TestServer.StartAsync(options => (options.MaxMessageSize, options.MaxOutgoingBuffer) = (4 << 20, 32 << 20));
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");

        await node.SendAsync("pause");
        int[] lengths = [.. Enumerable.Range(0, 6).Select(i => (3 << 20) + i)];
        var hashes = new List<string>();
        foreach (var length in lengths)
        {
            await node.SendAsync($"sendbin {length}");
            hashes.Add((await node.WaitForAsync("sent")).GetProperty("sha256").GetString()!);
        }
        await node.SendAsync("send after the big ones");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await node.SendAsync("resume");

        for (var i = 0; i < lengths.Length; i++)
        {
            var echoed = await node.WaitForAsync("message", TimeSpan.FromSeconds(30));
            Assert.Equal(lengths[i], echoed.GetProperty("length").GetInt32());
            Assert.Equal(hashes[i], echoed.GetProperty("sha256").GetString());
        }
        Assert.Equal("after the big ones", (await node.WaitForAsync("message")).GetProperty("data").GetString());
        AssertServedNatively(server);
        await node.SendAsync("close 1000 done");
        Assert.Equal(1000, (await node.WaitForAsync("close")).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Burst_NativeEngine_MessagesLargerThanOneReadSentTogetherAreAllEchoed()
    {
        // Four 64 KiB messages at once, then nothing until their echoes: OpenSSL's reads leave bytes in the socket,
        // whose arrival epoll reported before the read pump would wait. A pump that waited for another arrival instead
        // of reading them would never answer.
        await using var server = await TestServer.StartAsync();
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");

        for (var round = 0; round < 25; round++)
        {
            await node.SendAsync("sendbin 65536 4");
            var hashes = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                hashes.Add((await node.WaitForAsync("sent")).GetProperty("sha256").GetString()!);
            }
            foreach (var hash in hashes)
            {
                var echoed = await node.WaitForAsync("message", TimeSpan.FromSeconds(10));
                Assert.Equal(hash, echoed.GetProperty("sha256").GetString());
            }
        }
        AssertServedNatively(server);
        await node.SendAsync("close 1000 done");
        Assert.Equal(1000, (await node.WaitForAsync("close")).GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData(false, "ECDSA")]
    [InlineData(true, "RSA")]
    public async Task Tls12Client_NativeEngine_EcdheAeadSuiteAndHttp11HealthCheck(bool rsa, string keyKind)
    {
        using var temp = new TempDirectory();
        var pki = new TestPki(temp.Path);
        var (cert, key) = pki.Issue(["localhost", "127.0.0.1"], rsa: rsa).WriteFiles();
        await using var server = await TestServer.StartAsync(options => (options.Cert, options.Key) = (cert, key));

        // -ign_eof: s_client keeps reading after its input ends, until the server closes (Connection: close).
        var result = await Tool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-tls1_2", "-alpn", "http/1.1",
             "-CAfile", pki.RootPath, "-verify_return_error", "-ign_eof"],
            TimeSpan.FromSeconds(20), input: HealthRequest);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Matches($@"New, TLSv1\.2, Cipher is ECDHE-{keyKind}-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)\b", result.Output);
        Assert.Contains("ALPN protocol: http/1.1", result.Output);
        Assert.Contains("HTTP/1.1 200 OK", result.Output);
        Assert.Contains("\"status\":\"ok\"", result.Output);

        // HTTP/2 refuses TLS below 1.2: it only works if the layer reports the version it negotiated.
        var h2 = await Tool.RunAsync("curl",
            ["-sS", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "--tlsv1.2", "--tls-max", "1.2", "--http2", "--cacert", pki.RootPath,
             "--resolve", $"localhost:{server.Port}:127.0.0.1", $"https://localhost:{server.Port}/healthz"],
            TimeSpan.FromSeconds(20));
        Assert.True(h2.ExitCode == 0, h2.All);
        Assert.Equal("2 200", h2.Output);
        AssertServedNatively(server);
    }

    [Theory]
    [InlineData("-tls1_3")]
    [InlineData("-tls1_2")]
    public async Task SessionResumption_NativeEngine_SecondConnectionReusesTheTicketAndIsServed(string protocol)
    {
        await using var server = await TestServer.StartAsync();
        using var temp = new TempDirectory();
        var session = temp.File("session.pem");

        // The TLS 1.3 ticket comes after the handshake: -ign_eof makes s_client read on until the server closes.
        var first = await HealthOverSClientAsync(server.Port, protocol, "-sess_out", session);
        var second = await HealthOverSClientAsync(server.Port, protocol, "-sess_in", session);

        Assert.Matches(@"New, TLSv1\.[23], Cipher is ", first.Output);
        Assert.Contains("HTTP/1.1 200 OK", first.Output);
        if (protocol == "-tls1_3")
        {
            // One ticket per connection, by design: enough for a client that reconnects.
            Assert.Equal(1, Regex.Count(first.Output, "Post-Handshake New Session Ticket arrived"));
        }
        Assert.Matches(@"Reused, TLSv1\.[23], Cipher is ", second.Output);
        Assert.Contains("HTTP/1.1 200 OK", second.Output);
        Assert.Contains("\"status\":\"ok\"", second.Output);
    }

    [Fact]
    public async Task Renegotiation_Tls12ClientAsks_RefusedWithNoRenegotiationAndOthersServed()
    {
        await using var server = await TestServer.StartAsync();
        await using var bystander = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await bystander.WaitForAsync("open");

        await using (var client = PeerProcess.Start("openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-tls1_2", "-msg"]))
        {
            await WaitForTranscriptAsync(client, "Cipher is ECDHE-");
            await client.SendAsync("R");
            // Refused, the client gives up on its renegotiation and exits: within seconds, not at a timeout.
            await client.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var transcript = client.Transcript;
            Assert.Contains("RENEGOTIATING", transcript);
            Assert.Contains("Alert [length 0002], warning no_renegotiation", transcript);
            Assert.Equal(1, Regex.Count(transcript, @"<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello\b"));
            Assert.Equal(1, Regex.Count(transcript, @"<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], Certificate\b"));
        }

        Assert.Equal("still served", await bystander.EchoAsync("still served"));
        await using var fresh = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await fresh.WaitForAsync("open");
        Assert.Equal("new connection after the refusal", await fresh.EchoAsync("new connection after the refusal"));
    }

    [Fact]
    public async Task KeyUpdate_Tls13ClientRequestsIt_ServerAnswersWithItsOwnAndKeepsServing()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = PeerProcess.Start("openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.Port}", "-servername", "localhost", "-tls1_3", "-alpn", "http/1.1", "-msg"]);
        await WaitForTranscriptAsync(client, "New, TLSv1.3, Cipher is ");

        // "K": a KeyUpdate that asks the server to update its keys too. The server's own KeyUpdate is due before its next
        // application data (RFC 8446 4.6.3; OpenSSL sends it with that data), so the response must come after one,
        // under the server's new keys, while the server reads under the client's new ones.
        await client.SendAsync("K");
        await WaitForTranscriptAsync(client, ">>> TLS 1.3, Handshake [length 0005], KeyUpdate");
        await client.SendAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r"); // the line's \n ends the request

        await client.WaitForExitAsync(TimeSpan.FromSeconds(10)); // s_client exits when the server closes
        var transcript = client.Transcript;
        var answered = transcript.IndexOf("<<< TLS 1.3, Handshake [length 0005], KeyUpdate", StringComparison.Ordinal);
        var response = transcript.IndexOf("HTTP/1.1 200 OK", StringComparison.Ordinal);
        Assert.True(answered >= 0 && response > answered, "no KeyUpdate from the server before its response:\n" + transcript);
        Assert.Contains("\"status\":\"ok\"", transcript);
        Assert.True(transcript.Contains("<<< TLS 1.3, Alert [length 0002], warning close_notify", StringComparison.Ordinal), "no close_notify:\n" + transcript + "\nserver:\n" + server.Log);
        AssertServedNatively(server);
    }

    [Fact]
    public async Task Fragmented_ClientSendsEveryByteInItsOwnSegment_HandshakeAndRequestStillServed()
    {
        await using var server = await TestServer.StartAsync();

        // Records arrive cut anywhere: in their headers, their bodies, across the handshake and the request.
        var text = await HealthOverSslStreamAsync(server.Port, wire => new OneByteAtATime(wire));

        Assert.StartsWith("HTTP/1.1 200 OK", text);
        Assert.Contains("\"status\":\"ok\"", text);
        AssertServedNatively(server);
    }

    [Fact]
    public async Task Coalesced_ClientFinishedAndRequestInOneSegment_RequestNotLostAfterTheHandshake()
    {
        await using var server = await TestServer.StartAsync();
        HeldAfterFirstWrite? held = null;

        // TLS 1.3: the client's last handshake flight needs no answer, so its Finished and its first request can
        // leave together, and the handshake must take only its own bytes of what arrived.
        var text = await HealthOverSslStreamAsync(server.Port, wire => held = new HeldAfterFirstWrite(wire),
            System.Security.Authentication.SslProtocols.Tls13, afterRequest: limit => held!.ReleaseAsync(limit));

        Assert.StartsWith("HTTP/1.1 200 OK", text);
        AssertServedNatively(server);
    }

    [Fact]
    public async Task FramesInTheUpgradeRequestsWrite_NativeEngine_EchoedInOrderAfterThe101()
    {
        await using var server = await TestServer.StartAsync();
        var early = RawPeer.Frame(Opcode.Text, "first"u8) + RawPeer.Frame(Opcode.Ping, "p"u8) + RawPeer.Frame(Opcode.Text, "the second"u8);

        // Python's peer sends them in the same TLS record as its request: they wait in the decrypted pipe behind it,
        // and the WebSocket engine must take them from there before the TLS layer feeds it directly.
        var events = await RawPeer.RunAsync(server.Port, server.CaPath,
            [new { with_request = early }, new { read = 2 }, new { send = RawPeer.Frame(Opcode.Text, "after"u8) }, new { send = Close1000 }, new { read = 10 }]);

        Assert.Equal("101", events[0].GetProperty("status").GetString());
        Assert.Equal([(1, 5), (10, 1), (1, 10), (1, 5), (8, 2)], Frames(events));
        Assert.Equal("eof", events[^1].GetProperty("event").GetString());
        AssertServedNatively(server);
    }

    [Fact]
    public async Task FramesCutAcrossTlsRecords_NativeEngine_ReassembledAndEchoed()
    {
        await using var server = await TestServer.StartAsync();
        var text = RawPeer.Frame(Opcode.Text, "cut into five records"u8);
        var ping = RawPeer.Frame(Opcode.Ping, "a ping in two"u8);

        // Each send is a TLS record of its own, a pause apart so that each is decrypted in a pass of its own: the frame
        // header is cut in its length and in its mask, the ping (a control frame, taken whole) in its payload.
        object[] steps =
        [
            .. Cut(text, 1, 3, 7, 12).Concat(Cut(ping, 4)).SelectMany(piece => new object[] { new { send = piece }, new { sleep = 0.05 } }),
            new { send = Close1000 },
            new { read = 10 },
        ];
        var events = await RawPeer.RunAsync(server.Port, server.CaPath, steps);

        Assert.Equal([(1, 21), (10, 13), (8, 2)], Frames(events));
        Assert.Equal("eof", events[^1].GetProperty("event").GetString());
    }

    private static readonly string Close1000 = RawPeer.Frame(Opcode.Close, [0x03, 0xE8]);

    private static (int Opcode, int Length)[] Frames(List<JsonElement> events) =>
        [.. events.Where(e => e.GetProperty("event").GetString() == "frame").Select(e => (e.GetProperty("opcode").GetInt32(), e.GetProperty("length").GetInt32()))];

    /// <summary>The hex of a frame cut at the given byte offsets.</summary>
    private static IEnumerable<string> Cut(string hex, params int[] offsets)
    {
        var start = 0;
        foreach (var offset in offsets.Append(hex.Length / 2))
        {
            yield return hex[(start * 2)..(offset * 2)];
            start = offset;
        }
    }

    [Theory]
    [InlineData(TlsEngine.OpenSsl, false)]
    [InlineData(TlsEngine.OpenSsl, true)]
    [InlineData(TlsEngine.DotNet, false)]
    [InlineData(TlsEngine.DotNet, true)]
    public async Task HalfAClientHello_ClientCloses_CountedAsClientClosed(TlsEngine engine, bool reset)
    {
        await using var server = await TestServer.StartAsync(options => options.TlsEngine = engine);

        using (var socket = await SendHalfClientHelloAsync(server.Port))
        {
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0); // close with RST rather than FIN
            }
            socket.Close();
        }

        await server.WaitForMetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"client-closed\"}", 1);
        Assert.Equal(0, await server.MetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"timeout\"}"));
        Assert.Equal(0, await server.MetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"other\"}"));
    }

    [Theory]
    [InlineData(TlsEngine.OpenSsl)]
    [InlineData(TlsEngine.DotNet)]
    public async Task HalfAClientHello_ClientGoesSilent_CutOffAfterTheHandshakeTimeoutAndCounted(TlsEngine engine)
    {
        await using var server = await TestServer.StartAsync(options => (options.TlsEngine, options.HandshakeTimeout) = (engine, TimeSpan.FromSeconds(1)));

        using var socket = await SendHalfClientHelloAsync(server.Port);
        var stopwatch = Stopwatch.StartNew();
        var received = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(5));
        Assert.Equal(0, received); // no alert for a client that never finished its hello, just the close
        await server.WaitForMetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"timeout\"}", 1);
        Assert.Equal(0, await server.MetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"client-closed\"}"));
    }

    [Fact]
    public async Task LateHalfClientHello_NativeEngine_OneHandshakeTimeoutFromConnectNotTwo()
    {
        // The wait for the first bytes and the handshake share one timeout: a client that sends its first bytes late
        // and then stalls is cut off one timeout after it connected, not one timeout after its first bytes.
        await using var server = await TestServer.StartAsync(options => options.HandshakeTimeout = TimeSpan.FromSeconds(2));
        var sinceConnect = Stopwatch.StartNew();

        using var socket = await SendHalfClientHelloAsync(server.Port, delay: TimeSpan.FromSeconds(1.4));
        await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));

        // Cut at about 2 s; with a timeout of its own the handshake would last until about 3.4 s.
        Assert.InRange(sinceConnect.Elapsed, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(2.9));
        await server.WaitForMetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"timeout\"}", 1);
    }

    [Theory]
    [InlineData("client-close", 1000)]
    [InlineData("server-close", 1002)]
    public async Task WebSocketClose_NativeEngine_TlsStreamEndsWithCloseNotifyAfterTheCloseFrame(string who, int code)
    {
        await using var server = await TestServer.StartAsync();

        var result = await Tool.RunAsync("/usr/bin/python3", ["-c", CloseNotifyProbe, server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), who],
            TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 0, result.All);
        var outcome = JsonDocument.Parse(result.Output).RootElement;
        var bytes = Convert.FromHexString(outcome.GetProperty("bytes").GetString()!);
        Assert.True(bytes.Length >= 4 && bytes[0] == 0x88, $"no close frame before the end of the stream: {result.Output}");
        Assert.Equal(code, (bytes[2] << 8) | bytes[3]);
        Assert.Equal(bytes[1] + 2, bytes.Length); // the close frame is the last thing sent
        Assert.True(outcome.GetProperty("end").GetString() == "close_notify", $"the TLS stream did not end with close_notify: {result.Output}");
    }

    [Fact]
    public async Task OneSend_NativeEngine_TicketLeavesWithTheUpgradeAndCloseNotifyWithTheCloseFrame()
    {
        await using var server = await TestServer.StartAsync();

        // The client's Finished and its upgrade request arrive together: the session ticket waits for the 101, and
        // the close frame that answers the client's waits for close_notify, each pair in one send. One read of the
        // client's socket then brings both (two sends a moment apart would most often take two reads).
        var result = await Tool.RunAsync("/usr/bin/python3",
            [Path.Combine(Repository.Peers, "tls_reads.py"), server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 0, result.All);
        var reads = JsonDocument.Parse(result.Output).RootElement;
        Assert.StartsWith("HTTP/1.1 101 ", reads.GetProperty("upgrade").GetString());
        Assert.True(reads.GetProperty("ticket_with_upgrade").GetBoolean(), result.Output);
        Assert.Equal("8802" + "03e8", reads.GetProperty("close").GetString());
        Assert.True(reads.GetProperty("close_notify_with_close").GetBoolean(), result.Output);
        // The ticket that waited is a good one: the next connection resumes with it.
        Assert.True(reads.GetProperty("resumed").GetBoolean(), result.Output);
        AssertServedNatively(server);
    }

    [Fact]
    public async Task LargeEchoes_NativeEngine_SentStraightFromThePayloadInAsFewRecordsAsOneWriteAndWhole()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxMessageSize = 1 << 20);
        // Around one record (16 KiB of plaintext), several records, and a frame header of each length (2, 4 and 10 bytes).
        int[] sizes = [100, 16379, 16380, 16384, 16385, 40000, 65535, 65536, 65537, 200000];

        var result = await RecordsProbeAsync(server.Port, sizes);

        Assert.True(result.ExitCode == 0, result.All);
        var echoes = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(sizes, echoes.Select(echo => echo.GetProperty("size").GetInt32()));
        foreach (var echo in echoes)
        {
            var size = echo.GetProperty("size").GetInt32();
            int[] records = [.. echo.GetProperty("records").EnumerateArray().Select(record => record.GetInt32())];
            Assert.True(echo.GetProperty("same").GetBoolean(), $"the echo of {size} bytes differs");
            var frame = FrameHeader.SizeFor(size, masked: false) + size;
            Assert.Equal(frame, records.Sum());
            // As few records as one contiguous write makes: the header and the first size % 16 KiB bytes go first, and
            // the rest of the payload is whole records made from where the message lies.
            Assert.Equal((frame + RecordSize - 1) / RecordSize, records.Length);
            Assert.All(records.TakeLast(size / RecordSize), record => Assert.Equal(RecordSize, record));
        }
        AssertServedNatively(server);
    }

    [Fact]
    public async Task LargeEchoes_NativeEngine_EachLeavesInOneSendRatherThanOneSendPerRecord()
    {
        await using var server = await CliServer.StartAsync(["--max-message-size", "1MiB"]);
        using var trace = await SyscallTrace.AttachAsync(server.ProcessId, "sendmsg", "sendto");

        const int Echoes = 6;
        var result = await RecordsProbeAsync(server.Port, Enumerable.Repeat(65536, Echoes));
        var sends = (await trace.StopAsync()).Select(call => call.Result).ToList();

        Assert.True(result.ExitCode == 0, result.All);
        Assert.All(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("same").GetBoolean(), line));
        // A 64 KiB echo is a 65,546-byte frame: five records (10 bytes, then four of 16 KiB), 22 bytes of TLS each.
        const int EchoOnTheWire = 65546 + 5 * 22;
        Assert.True(sends.Count(sent => sent == EchoOnTheWire) == Echoes, $"sends: {string.Join(", ", sends)}");
        Assert.DoesNotContain(RecordSize + 22, sends); // no record of them alone
    }

    [Fact]
    public async Task Connection_NativeEngine_NoReadThatFindsNothingAfterTheClientHelloOneShutdownAndOneEpollChange()
    {
        await using var server = await CliServer.StartAsync([]);
        using var trace = await SyscallTrace.AttachAsync(server.ProcessId, "accept4", "recvfrom", "sendmsg", "sendto", "shutdown", "fcntl", "close", "epoll_ctl");

        var result = await RecordsProbeAsync(server.Port, [100]);
        await Task.Delay(500); // the server's side of the close
        var calls = await trace.StopAsync();

        Assert.True(result.ExitCode == 0, result.All);
        var descriptor = Assert.Single(calls, call => call.Name == "accept4" && call.Result > 0).Result;
        var onSocket = calls.Where(call => call.First == descriptor && call.Name != "accept4").ToList();
        var story = string.Join(", ", onSocket.Select(call => $"{call.Name} {call.Result}"));
        // The ClientHello is read, and OpenSSL's next read (for the client's Finished) is answered without asking the
        // socket, which cannot hold anything before the client has the server's flight: the flight is sent next.
        Assert.True(onSocket.Count >= 2 && onSocket[0] is { Name: "recvfrom", Result: > 0 } && onSocket[1].Name is "sendmsg", story);
        // Shut down once (a second would only fail); the socket's mode is never changed (every call says MSG_DONTWAIT).
        Assert.True(onSocket.Count(call => call.Name == "shutdown") == 1, story);
        Assert.DoesNotContain(onSocket, call => call.Name == "fcntl");
        // The socket is added to epoll once, and not taken out before it is closed: the close takes it out.
        var epollChanges = calls.Count(call => call.Name == "epoll_ctl");
        Assert.True(epollChanges == 1, $"{epollChanges} epoll_ctl calls; {story}");
    }

    [Theory]
    [InlineData("after-101")]
    [InlineData("with-request")]
    public async Task ClientHalfCloses_RightAfterAMessage_EchoedThenTheServerEndsTheConnection(string when)
    {
        await using var server = await TestServer.StartAsync();

        // The message and the client's FIN often arrive together, and epoll reports them once: the end of the stream
        // must still be read after the message, or the connection waits for the idle timeout; and the end must read as
        // a clean one (OpenSSL asks the BIO whether the stream ended), or the message still in the decrypted pipe is
        // lost with it. With the request (sent before the 101 came), the end must wait for the WebSocket: Kestrel, handed
        // the end of its input with the request, would drop the request or the frame. Ten tries, since the message and
        // the end do not always arrive together.
        var result = await Tool.RunAsync("/usr/bin/python3", ["-c", HalfCloseProbe, server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "10", when],
            TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.All);
        var tries = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(10, tries.Count);
        Assert.All(tries, attempt =>
        {
            Assert.True(attempt.GetProperty("upgraded").GetBoolean(), attempt.ToString());
            Assert.True(attempt.GetProperty("echoed").GetBoolean(), attempt.ToString());
            Assert.True(attempt.GetProperty("ended").GetBoolean(), $"the server kept the half-closed connection open: {attempt}");
        });
    }

    /// <summary>
    /// Python's ssl as the client: upgrades /echo, sends one text message (after the 101, or with the upgrade request)
    /// and at once shuts down its sending side (a TCP FIN, no close frame or close_notify), then reads until the server
    /// ends the connection, for at most 3 s. Prints whether the echo came and whether the server ended the connection,
    /// once per try.
    /// </summary>
    private const string HalfCloseProbe = """
        import base64, json, os, socket, ssl, sys
        port, tries, when = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        for _ in range(tries):
            tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=3), server_hostname="localhost")
            key = base64.b64encode(os.urandom(16)).decode()
            request = ("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode()
            mask = os.urandom(4)
            frame = bytes([0x81, 0x85]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(b"hello"))
            received, ended, how = b"", False, ""
            try:
                if when == "with-request":
                    tls.sendall(request + frame)
                else:
                    tls.sendall(request)
                    while b"\r\n\r\n" not in received:
                        data = tls.recv(4096)
                        if not data:
                            break
                        received += data
                    tls.sendall(frame)
                socket.fromfd(tls.fileno(), socket.AF_INET, socket.SOCK_STREAM).shutdown(socket.SHUT_WR)
                while True:
                    data = tls.recv(4096)
                    if not data:
                        ended, how = True, "eof"
                        break
                    received += data
            except (socket.timeout, ssl.SSLError, ConnectionError) as e:
                ended, how = not isinstance(e, socket.timeout), repr(e)
            upgraded = received.startswith(b"HTTP/1.1 101")
            body = received.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in received else b""
            print(json.dumps({"upgraded": upgraded, "echoed": body.startswith(b"\x81\x05hello"), "ended": ended, "how": how}))
            tls.close()
        """;

    private static Task<ToolResult> RecordsProbeAsync(int port, IEnumerable<int> sizes) => Tool.RunAsync("/usr/bin/python3",
        [Path.Combine(Repository.Peers, "tls_records.py"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. sizes.Select(size => size.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        TimeSpan.FromSeconds(30));

    private const int RecordSize = 16 * 1024;

    /// <summary>
    /// Python's ssl (OpenSSL) as the client, told to treat a TCP close without close_notify as the error it is (Python
    /// ignores it by default): upgrades /echo, then either sends a close (1000) or an unmasked frame the server must
    /// refuse with 1002, and reads to the end. Prints what came and how the stream ended.
    /// </summary>
    private const string CloseNotifyProbe = """
        import base64, json, os, socket, ssl, sys
        port, who = int(sys.argv[1]), sys.argv[2]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
        context.set_alpn_protocols(["http/1.1"])
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost", suppress_ragged_eofs=False)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise SystemExit("closed during the upgrade: %r" % head)
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise SystemExit("not upgraded: %r" % head)
        received = bytearray(head.partition(b"\r\n\r\n")[2])
        if who == "client-close":
            mask = os.urandom(4)
            payload = (1000).to_bytes(2, "big")
            sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        else:
            sock.sendall(bytes([0x81, 0x02]) + b"hi")
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    end = "close_notify"
                    break
                received += chunk
        except ssl.SSLError as error:
            end = "no close_notify: " + str(error)
        except OSError as error:
            end = "error: " + repr(error)
        print(json.dumps({"end": end, "bytes": received.hex()}))
        """;

    /// <summary>
    /// Kestrel's HTTPS middleware (SslStream) logs every handshake it completes at Debug; connections the native layer
    /// takes never reach it.
    /// </summary>
    /// <summary>
    /// GET /healthz over HTTP/1.1 with .NET's SslStream as the client, its socket seen through <paramref name="wire"/>;
    /// returns the whole response once the server closes.
    /// </summary>
    private static async Task<string> HealthOverSslStreamAsync(int port, Func<Stream, Stream> wire,
        System.Security.Authentication.SslProtocols protocols = System.Security.Authentication.SslProtocols.None, Func<CancellationToken, Task>? afterRequest = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(wire(new NetworkStream(socket, ownsSocket: false)));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            EnabledSslProtocols = protocols,
        }, limit.Token);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(HealthRequest), limit.Token);
        if (afterRequest is not null)
        {
            await afterRequest(limit.Token);
        }
        using var response = new MemoryStream();
        await tls.CopyToAsync(response, limit.Token);
        return Encoding.UTF8.GetString(response.ToArray());
    }

    private static void AssertServedNatively(TestServer server)
        => Assert.False(SslStreamServed(server), "the connection was served by SslStream, not the native layer:\n" + server.Log);

    private static bool SslStreamServed(TestServer server)
        => server.Log.Lines.Any(line => line.Contains("HttpsConnectionMiddleware", StringComparison.Ordinal) && line.Contains("established", StringComparison.Ordinal));

    private static Task<ToolResult> HealthOverSClientAsync(int port, string protocol, params string[] extra)
        => Tool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", protocol, "-alpn", "http/1.1", "-ign_eof", .. extra],
            TimeSpan.FromSeconds(20), input: HealthRequest);

    /// <summary>Connects and sends the first 43 bytes of a ClientHello whose record announces 512: a handshake begun, not finished.</summary>
    private static async Task<Socket> SendHalfClientHelloAsync(int port, TimeSpan delay = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        await Task.Delay(delay);
        byte[] start =
        [
            0x16, 0x03, 0x01, 0x02, 0x00, // handshake record, 512 bytes
            0x01, 0x00, 0x01, 0xFC,       // ClientHello, 508 bytes
            0x03, 0x03,                   // legacy_version TLS 1.2
            .. System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
        ];
        await socket.SendAsync(start);
        return socket;
    }

    /// <summary>Reads until the server closes (FIN or reset); returns the bytes received.</summary>
    private static async Task<int> ReadUntilClosedAsync(Socket socket, TimeSpan limit)
    {
        var buffer = new byte[4096];
        var total = 0;
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) is var read and > 0)
            {
                total += read;
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the server kept the connection open for {limit}");
        }
        return total;
    }

    /// <summary>Writes every byte on its own, a millisecond apart, so that each reaches the server in a segment of its own.</summary>
    private sealed class OneByteAtATime(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                await inner.WriteAsync(buffer.Slice(i, 1), cancellationToken);
                await Task.Delay(1, cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Sends the first write (the ClientHello) at once and holds every later one until <see cref="ReleaseAsync"/>, which sends them in one go.</summary>
    private sealed class HeldAfterFirstWrite(Stream inner) : Stream
    {
        private readonly MemoryStream _held = new();
        private bool _first = true;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            await inner.WriteAsync(_held.ToArray(), cancellationToken);
            _held.SetLength(0);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_first)
            {
                _first = false;
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }
            _held.Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _held.Dispose();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private static async Task WaitForTranscriptAsync(PeerProcess peer, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!peer.Transcript.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(!peer.HasExited && DateTime.UtcNow < deadline, $"no '{text}' from the peer within 10 s:\n{peer.Transcript}");
            await Task.Delay(50);
        }
    }
}
