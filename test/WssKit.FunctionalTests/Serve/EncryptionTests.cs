using System.Diagnostics;
using System.Text;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>
/// The data is really encrypted: a loopback capture (tshark) while a marker is echoed holds the marker for plain
/// ws:// (--insecure) and never for wss://.
/// </summary>
public sealed class EncryptionTests
{
    [Fact]
    public async Task Capture_EchoOverWss_NeverContainsTheMarker()
    {
        await using var server = await TestServer.StartAsync();
        var marker = "MARKER-" + Guid.NewGuid().ToString("N");

        var captured = await CaptureAsync(server.Port, async () =>
        {
            await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
            Assert.Equal(marker, await node.EchoAsync(marker));
        });

        Assert.True(captured.Length > 1000, $"the capture holds only {captured.Length} bytes: nothing was captured");
        Assert.DoesNotContain(marker, Encoding.Latin1.GetString(captured), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_EchoOverInsecureWs_ContainsTheMarker()
    {
        await using var server = await TestServer.StartAsync(options => (options.Insecure, options.HttpPort) = (true, 0));
        var marker = "MARKER-" + Guid.NewGuid().ToString("N");

        var captured = await CaptureAsync(server.PlainPort, async () =>
        {
            await using var node = PeerProcess.Node($"ws://127.0.0.1:{server.PlainPort}/echo");
            Assert.Equal(marker, await node.EchoAsync(marker));
        });

        Assert.Contains(marker, Encoding.Latin1.GetString(captured), StringComparison.Ordinal);
    }

    /// <summary>Captures the loopback traffic of one port while <paramref name="traffic"/> runs; returns the pcap file's bytes.</summary>
    private static async Task<byte[]> CaptureAsync(int port, Func<Task> traffic)
    {
        using var temp = new TempDirectory();
        var file = temp.File("capture.pcap");
        var start = new ProcessStartInfo("tshark") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-i", "lo", "-f", $"tcp port {port}", "-w", file })
        {
            start.ArgumentList.Add(argument);
        }
        using var tshark = Process.Start(start)!;
        var ready = new TaskCompletionSource();
        var said = new StringBuilder();
        _ = Task.Run(async () =>
        {
            while (await tshark.StandardError.ReadLineAsync() is { } line)
            {
                lock (said)
                {
                    said.AppendLine(line);
                }
                if (line.Contains("Capturing on", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
            ready.TrySetResult();
        });
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(tshark.HasExited, $"tshark stopped: {said}");
        await traffic();
        await Task.Delay(500); // let the last packets reach the capture
        Signals.Send(tshark.Id, Signals.SIGINT);
        await tshark.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        return await File.ReadAllBytesAsync(file);
    }
}
