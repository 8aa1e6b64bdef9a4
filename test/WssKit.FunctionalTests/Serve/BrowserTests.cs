using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Serve;

/// <summary>
/// Echo over wss:// from a browser we did not write (Debian's headless Chromium) trusting the development CA, once
/// with HTTP/2 disabled (the HTTP/1.1 upgrade, 101) and once with HTTP/2 allowed (RFC 8441 extended CONNECT, 200).
/// Each run opens two sockets: the one of the server's own page and the test's.
/// </summary>
public sealed class BrowserTests
{
    [Fact]
    public async Task Chromium_Http2Disabled_EchoesOverHttp11UpgradeAndCloses1000()
    {
        await using var server = await TestServer.StartAsync();

        var echo = await Chromium.EchoAsync(server, http1Only: true);

        AssertEchoed(echo);
        Assert.Equal("http/1.1", echo.GetProperty("pageProtocol").GetString());
        Assert.Equal([101, 101], HandshakeStatuses(echo));
        Assert.Equal(2, await server.MetricAsync("wss_upgrades_total{http=\"1.1\"}"));
        Assert.Equal(0, await server.MetricAsync("wss_upgrades_total{http=\"2\"}"));
    }

    [Fact]
    public async Task Chromium_Http2Allowed_EchoesOverExtendedConnectAndCloses1000()
    {
        await using var server = await TestServer.StartAsync();

        var echo = await Chromium.EchoAsync(server, http1Only: false);

        AssertEchoed(echo);
        Assert.Equal("h2", echo.GetProperty("pageProtocol").GetString());
        Assert.Equal([200, 200], HandshakeStatuses(echo));
        Assert.Equal(2, await server.MetricAsync("wss_upgrades_total{http=\"2\"}"));
        Assert.Equal(0, await server.MetricAsync("wss_upgrades_total{http=\"1.1\"}"));
    }

    private static void AssertEchoed(JsonElement echo)
    {
        var all = echo.ToString();
        Assert.False(echo.TryGetProperty("error", out var error), $"Chromium failed: {error}\n{all}");
        Assert.StartsWith("received \"hello\" back", echo.GetProperty("pageStatus").GetString());
        Assert.Equal(Strings(echo.GetProperty("sent")), Strings(echo.GetProperty("received")));
        var binary = echo.GetProperty("binary");
        Assert.True(binary.GetProperty("isArrayBuffer").GetBoolean(), all);
        Assert.Equal(100_000, binary.GetProperty("received").GetInt32());
        Assert.True(binary.GetProperty("matches").GetBoolean(), $"the binary echo differs from byte {binary.GetProperty("firstDifference")} on: {all}");
        Assert.Equal(1000, echo.GetProperty("closeCode").GetInt32());
        Assert.True(echo.GetProperty("wasClean").GetBoolean(), all);
        Assert.True(echo.GetProperty("ok").GetBoolean(), all);
    }

    private static string?[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(item => item.GetString())];

    private static int[] HandshakeStatuses(JsonElement echo)
        => [.. echo.GetProperty("handshakes").EnumerateArray().Select(handshake => handshake.GetProperty("status").GetInt32())];
}
