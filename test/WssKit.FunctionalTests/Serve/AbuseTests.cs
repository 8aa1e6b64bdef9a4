using System.Diagnostics;
using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;
using WssKit.Protocol.Framing;
using Xunit.Abstractions;

namespace WssKit.FunctionalTests.Serve;

/// <summary>
/// Peers that break the rules or try to exhaust the server: each gets the right close code before the TCP close, or
/// is cut off with bounded memory, while a well-behaved client keeps being served.
/// </summary>
public sealed class AbuseTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("unmasked", CloseCodes.ProtocolError)]
    [InlineData("reserved-opcode", CloseCodes.ProtocolError)]
    [InlineData("rsv-bits", CloseCodes.ProtocolError)]
    [InlineData("fragmented-ping", CloseCodes.ProtocolError)]
    [InlineData("bad-close-code", CloseCodes.ProtocolError)]
    [InlineData("invalid-utf8", CloseCodes.InvalidPayload)]
    [InlineData("invalid-utf8-late-in-a-large-text", CloseCodes.InvalidPayload)]
    [InlineData("huge-declared-length", CloseCodes.MessageTooBig)]
    public async Task ProtocolBreach_CloseFrameWithTheRightCodeThenTcpClose(string breach, int expectedCode)
    {
        await using var server = await TestServer.StartAsync();
        var frame = breach switch
        {
            "unmasked" => RawPeer.Frame(Opcode.Text, "hi"u8, masked: false),
            "reserved-opcode" => RawPeer.Frame((Opcode)0x3, "hi"u8),
            "rsv-bits" => RawPeer.Frame(Opcode.Binary, "hi"u8, rsv: 2),
            "fragmented-ping" => RawPeer.Frame(Opcode.Ping, "hi"u8, fin: false),
            "bad-close-code" => RawPeer.Frame(Opcode.Close, [0x03, 0xEC]), // 1004
            "invalid-utf8" => RawPeer.Frame(Opcode.Text, [0xED, 0xA0, 0x80]),
            // Past the first TLS record: in the part the native TLS layer decrypts straight into the message's buffer.
            "invalid-utf8-late-in-a-large-text" => RawPeer.Frame(Opcode.Text, [.. Enumerable.Repeat((byte)'a', 30_000), 0xFF, .. Enumerable.Repeat((byte)'a', 10_000)]),
            // A header that announces 4 EiB, and nothing after it: refused at once, nothing allocated.
            _ => RawPeer.Frame(Opcode.Binary, [], declaredLength: 1L << 62),
        };
        var stopwatch = Stopwatch.StartNew();

        var events = await RawPeer.RunAsync(server.Port, server.CaPath, [new { send = frame }, new { read = 10 }]);

        var close = Assert.Single(events, e => e.GetProperty("event").GetString() == "frame");
        Assert.Equal(8, close.GetProperty("opcode").GetInt32());
        Assert.Equal(expectedCode, close.GetProperty("code").GetInt32());
        Assert.Equal("eof", events[^1].GetProperty("event").GetString());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"the connection was closed after {stopwatch.Elapsed}");
        Assert.Equal(1, await server.MetricAsync($"wss_protocol_errors_total{{code=\"{expectedCode}\"}}"));
    }

    [Fact]
    public async Task PingFlood_HundredThousandPings_FewPongsBoundedMemoryAndOthersServed()
    {
        await using var server = await TestServer.StartAsync();
        await using var bystander = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await bystander.WaitForAsync("open");

        var flood = RawPeer.RunAsync(server.Port, server.CaPath, [new { ping_flood = 100_000 }, new { read = 3 }]);
        var slowest = TimeSpan.Zero;
        while (!flood.IsCompleted)
        {
            var stopwatch = Stopwatch.StartNew();
            Assert.Equal("still served", await bystander.EchoAsync("still served"));
            slowest = stopwatch.Elapsed > slowest ? stopwatch.Elapsed : slowest;
            await Task.Delay(50);
        }
        var events = await flood;

        var pongs = events.Count(e => e.GetProperty("event").GetString() == "frame" && e.GetProperty("opcode").GetInt32() == 10);
        output.WriteLine($"100,000 pings answered with {pongs} pongs; slowest echo of another client meanwhile: {slowest.TotalMilliseconds:0} ms");
        Assert.InRange(pongs, 1, 2_000); // a budget a keep-alive tick, plus the latest ping once a tick; ping for ping it would be 100,000
        Assert.Equal("timeout", events[^1].GetProperty("event").GetString()); // the flooder was not disconnected for pinging
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"another client waited {slowest} for an echo");
    }

    [Fact]
    public async Task NeverReads_OutgoingBufferLimit_ClosedWith1008AndCountedAsSlowConsumer()
    {
        await using var server = await TestServer.StartAsync(options => options.MaxOutgoingBuffer = 256 * 1024);
        await using var bystander = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await bystander.WaitForAsync("open");
        var stopwatch = Stopwatch.StartNew();

        // 64 KiB messages, echoed to a client that does not read them (64 MiB of echoes owed), then it looks at what came.
        var events = await RawPeer.RunAsync(server.Port, server.CaPath, [new { send_without_reading = 1000, size = 65536, seconds = 30 }, new { read = 15 }]);

        var frames = events.Where(e => e.GetProperty("event").GetString() == "frame").ToList();
        var close = frames[^1];
        var echoed = frames.Count(frame => frame.GetProperty("opcode").GetInt32() == 2);
        output.WriteLine($"the server echoed {echoed} of 1,000 messages of 64 KiB, then closed with {close.GetProperty("code")} after {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(8, close.GetProperty("opcode").GetInt32());
        Assert.Equal(CloseCodes.PolicyViolation, close.GetProperty("code").GetInt32());
        Assert.Contains("does not read", close.GetProperty("reason").GetString());
        Assert.InRange(echoed, 1, 100); // what fitted in the socket buffers and the 256 KiB limit, not all 1,000
        Assert.Equal("eof", events[^1].GetProperty("event").GetString());
        Assert.Equal(1, await server.MetricAsync("wss_connections_dropped_total{reason=\"slow-consumer\"}"));
        Assert.Equal("bystander", await bystander.EchoAsync("bystander"));
        Assert.Equal(1, await server.MetricAsync("wss_connections_open"));
    }

    [Fact]
    public async Task Churn_TwoThousandConnectionsOpenedAndClosed_NothingLeftOpenAndMemoryBack()
    {
        await using var server = await CliServer.StartAsync([]);
        await ChurnAsync(server, 200);
        var baseline = RssKiB(server.ProcessId);

        await ChurnAsync(server, 2000);

        var after = RssKiB(server.ProcessId);
        output.WriteLine($"RSS before 2,000 connections: {baseline} KiB, after: {after} KiB");
        Assert.True(after - baseline < 64 * 1024, $"RSS grew by {after - baseline} KiB over 2,000 short connections");
    }

    [Fact]
    public async Task TenThousandIdleConnections_MemoryPerConnectionMeasuredAndBounded()
    {
        await using var server = await CliServer.StartAsync([]);
        await ChurnAsync(server, 100);
        var before = RssKiB(server.ProcessId);

        await using var idle = PeerProcess.Start("node", [Path.Combine(Repository.Peers, "ws-load.mjs"), server.Url(), server.CaPath, "idle", "10000", "200"]);
        var opened = await idle.WaitForAsync("open", TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = RssKiB(server.ProcessId);

        Assert.Equal(10_000, opened.GetProperty("count").GetInt32());
        var perConnection = (after - before) * 1024 / 10_000;
        output.WriteLine($"10,000 idle wss connections opened in {opened.GetProperty("seconds").GetDouble():0.0} s; server RSS {before} -> {after} KiB: {perConnection} bytes per connection");
        Assert.True(perConnection < 96 * 1024, $"{perConnection} bytes per idle connection");
        await idle.SendAsync("close");
        await idle.WaitForAsync("closed", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task SteadyEcho_HundredThousandMessages_NoAllocationPerMessage()
    {
        await using var server = await CliServer.StartAsync(["--listen", "127.0.0.1:0"]);
        await LoadAsync(server, "echo", 20_000, 16); // warm up: JIT, pools, buffers
        var before = await AllocatedAsync(server);

        await LoadAsync(server, "echo", 100_000, 16);

        var perMessage = (await AllocatedAsync(server) - before) / 100_000.0;
        output.WriteLine($"{perMessage:0.00} managed bytes allocated per echoed message");
        Assert.True(perMessage < 16, $"{perMessage:0.0} bytes allocated per message");
    }

    private static async Task<double> AllocatedAsync(CliServer server)
    {
        var metrics = await Tool.RunAsync("curl", ["-sS", "--cacert", server.CaPath, "--resolve", $"localhost:{server.Port}:127.0.0.1", $"https://localhost:{server.Port}/metrics"]);
        var line = metrics.Output.Split('\n').First(candidate => candidate.StartsWith("wss_process_allocated_bytes_total ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task LoadAsync(CliServer server, string mode, int count, int concurrency)
    {
        var result = await Tool.RunAsync("node", [Path.Combine(Repository.Peers, "ws-load.mjs"), server.Url(), server.CaPath, mode,
            count.ToString(System.Globalization.CultureInfo.InvariantCulture), concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(2));
        var done = JsonDocument.Parse(result.Output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(0, done.GetProperty("failures").GetInt32());
    }

    private static Task ChurnAsync(CliServer server, int count) => LoadAsync(server, "churn", count, 20);

    private static long RssKiB(int processId)
        => long.Parse(File.ReadAllLines($"/proc/{processId}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);
}
