using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>permessage-deflate (RFC 7692) with Node's ws and Python's websockets, which both offer it by default.</summary>
public sealed class CompressionTests
{
    [Fact]
    public async Task NodeWs_CompressionOn_NegotiatesDeflateAndEchoesLargeMessages()
    {
        await using var server = await TestServer.StartAsync(options => options.Compression = true);
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);

        var open = await node.WaitForAsync("open");
        Assert.Equal("permessage-deflate", open.GetProperty("extensions").GetString());
        var text = string.Concat(Enumerable.Repeat("compress me ", 5000));
        Assert.Equal(text, await node.EchoAsync(text));
        Assert.Equal("tiny", await node.EchoAsync("tiny"));
        await node.SendAsync("sendbin 500000");
        var sent = await node.WaitForAsync("sent");
        Assert.Equal(sent.GetProperty("sha256").GetString(), (await node.WaitForAsync("message")).GetProperty("sha256").GetString());
        // The counters are of message bytes, before compression.
        Assert.True(await server.MetricAsync("wss_message_bytes_total{direction=\"sent\"}") >= 60_000 + 500_000 - 1);
    }

    [Fact]
    public async Task PythonWebsockets_CompressionOn_EchoesCompressedText()
    {
        await using var server = await TestServer.StartAsync(options => options.Compression = true);
        await using var python = PeerProcess.Python(server.Url(), "--ca", server.CaPath);

        var open = await python.WaitForAsync("open");
        Assert.Contains("PerMessageDeflate", open.GetProperty("extensions").GetString());
        var text = string.Concat(Enumerable.Repeat("ünïcödé ", 3000));
        Assert.Equal(text, await python.EchoAsync(text));
    }

    [Fact]
    public async Task NodeWs_CompressionOff_NoExtension()
    {
        await using var server = await TestServer.StartAsync();
        await using var node = PeerProcess.Node(server.Url(), "--ca", server.CaPath);
        Assert.Equal("", (await node.WaitForAsync("open")).GetProperty("extensions").GetString());
    }
}
