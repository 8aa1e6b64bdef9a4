using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>Graceful shutdown on SIGTERM and Ctrl+C, and the handshake timeout against slow clients.</summary>
public sealed class LifecycleTests
{
    [Theory]
    [InlineData(Signals.SIGTERM)]
    [InlineData(Signals.SIGINT)]
    public async Task Shutdown_Signal_ClosesEveryWebSocketWith1001AndExitsZero(int signal)
    {
        await using var server = await CliServer.StartAsync(["--shutdown-timeout", "5s"]);
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await using var python = PeerProcess.Python(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");
        await python.WaitForAsync("open");
        var stopwatch = Stopwatch.StartNew();

        server.Signal(signal);

        var nodeClose = await node.WaitForAsync("close");
        var pythonClose = await python.WaitForAsync("close");
        Assert.Equal(1001, nodeClose.GetProperty("code").GetInt32());
        Assert.Equal("server shutting down", nodeClose.GetProperty("reason").GetString());
        Assert.Equal(1001, pythonClose.GetProperty("code").GetInt32());
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"shutdown took {stopwatch.Elapsed}");
        Assert.Contains("Shutting down: closing 2 WebSocket connections with 1001", server.Output);
    }

    [Fact]
    public async Task Shutdown_PeerNeverAnswersTheClose_ExitsWithinTheShutdownTimeout()
    {
        await using var server = await CliServer.StartAsync(["--shutdown-timeout", "2s"]);
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        await node.WaitForAsync("open");
        node.Signal(Signals.SIGSTOP);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            server.Signal(Signals.SIGTERM);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        }
        finally
        {
            node.Signal(Signals.SIGCONT);
        }
    }

    [Fact]
    public async Task HandshakeTimeout_SilentAndSlowClients_AreCutOffWhileOthersAreServed()
    {
        await using var server = await TestServer.StartAsync(options => options.HandshakeTimeout = TimeSpan.FromSeconds(1));
        // 40 connections that never start TLS, and 10 that finish TLS and then send their request one byte a second.
        var silent = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => ConnectAsync(server.Port)));
        var slow = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SlowRequestAsync(server.Port)));
        var stopwatch = Stopwatch.StartNew();

        await using (var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath))
        {
            await node.WaitForAsync("open");
            Assert.Equal("served meanwhile", await node.EchoAsync("served meanwhile"));
        }
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"a normal client waited {stopwatch.Elapsed}");

        foreach (var client in silent)
        {
            Assert.Equal(0, await ReadUntilClosedAsync(client.GetStream()));
        }
        foreach (var (tcp, tls, sender) in slow)
        {
            await ReadUntilClosedAsync(tls);
            await sender.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            tcp.Dispose();
        }
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"slow clients were held for {stopwatch.Elapsed}");
        Assert.True(await server.MetricAsync("wss_handshakes_failed_total{stage=\"tls\",reason=\"timeout\"}") >= 40);
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    private static async Task<(TcpClient, SslStream, Task)> SlowRequestAsync(int port)
    {
        var client = await ConnectAsync(port);
        var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        var request = Encoding.ASCII.GetBytes("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
        var sender = Task.Run(async () =>
        {
            foreach (var b in request)
            {
                await tls.WriteAsync(new[] { b });
                await Task.Delay(1000);
            }
        });
        return (client, tls, sender);
    }

    /// <summary>Reads until the server closes the connection (at most 10 s); returns the bytes received.</summary>
    private static async Task<int> ReadUntilClosedAsync(Stream stream)
    {
        var buffer = new byte[4096];
        var total = 0;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await stream.ReadAsync(buffer, limit.Token) is var read and > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the server kept the connection open for 10 s");
        }
        return total;
    }
}
