using System.Text.Json;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// Debian's headless Chromium as a peer, through test/peers/browser-echo.mjs (playwright-core): it trusts the
/// server's development CA the way a person's browser would (an NSS database, no ignored certificate errors).
/// </summary>
public static class Chromium
{
    /// <summary>
    /// Opens the server's page, then runs an echo exchange (text, 100,000 bytes of binary, close 1000) in it and
    /// returns the script's result: sent, received, binary, closeCode, wasClean, pageProtocol, handshakes[].status.
    /// </summary>
    public static async Task<JsonElement> EchoAsync(TestServer server, bool http1Only)
    {
        var result = await Tool.RunAsync("node",
            [Path.Combine(Repository.Peers, "browser-echo.mjs"), server.Url("/", "https"), "--ca", server.CaPath, .. http1Only ? ["--http1"] : Array.Empty<string>()],
            TimeSpan.FromSeconds(60), workingDirectory: Repository.Peers);
        var line = result.Output.Split('\n').LastOrDefault(candidate => candidate.StartsWith("{\"event\":\"result\"", StringComparison.Ordinal));
        Assert.True(line is not null, $"browser-echo.mjs printed no result (exit code {result.ExitCode}):\n{result.All}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
