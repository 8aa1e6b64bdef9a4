using System.Text.Json;
using WssKit.FunctionalTests.Infrastructure;

namespace WssKit.FunctionalTests.Check;

/// <summary>`wss check` as users and CI run it: sections and a verdict for people, the documented JSON, exit codes 0, 1 and 2.</summary>
/// <remarks>In the timing-sensitive lab: an OK verdict means no timing finding, which a machine busy with load tests can spoil.</remarks>
[Collection(TimingSensitive.Name)]
public sealed class CheckCommandTests
{
    [Fact]
    public async Task HealthyServer_SectionsAndOkVerdict_ExitZero()
    {
        await using var server = await TestServer.StartAsync();

        var result = await CheckAsync(server.Url(), "--ca", server.CaPath);

        Assert.True(result.ExitCode == 0, result.All);
        foreach (var section in new[] { "TCP ok", "TLS ok", "UPGRADE ok", "DATA ok", "LATENCY ok" })
        {
            Assert.Contains(section, result.Output);
        }
        Assert.True(result.Output.Contains("OK clients can connect, trust the certificate and exchange messages"), result.All);
        Assert.Contains("checking tls...", result.Error);
    }

    [Fact]
    public async Task UntrustedCertificate_FindingWithItsPage_FailVerdict_ExitOne()
    {
        await using var server = await TestServer.StartAsync();

        var result = await CheckAsync(server.Url());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error cert-untrusted-root (certificate)", result.Output);
        Assert.Contains("more:       docs/findings/cert-untrusted-root.md", result.Output);
        Assert.Contains("FAIL cert-untrusted-root", result.Output);
    }

    [Fact]
    public async Task Json_FollowsTheDocumentedSchema()
    {
        var port = LoopbackPort.Free();

        var result = await CheckAsync($"wss://127.0.0.1:{port}/feed", "--json");
        var root = JsonDocument.Parse(result.Output).RootElement;

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("wsskit.check/1", root.GetProperty("schema").GetString());
        Assert.Equal($"wss://127.0.0.1:{port}/feed", root.GetProperty("target").GetString());
        Assert.Equal("error", root.GetProperty("verdict").GetString());
        var stages = root.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("outcome").GetString());
        Assert.Equal(("failed", "skipped", "skipped", "skipped"), (stages["tcp"], stages["tls"], stages["upgrade"], stages["data"]));
        var finding = Assert.Single(root.GetProperty("findings").EnumerateArray());
        Assert.Equal("tcp-refused", finding.GetProperty("id").GetString());
        Assert.Equal("connection-refused", finding.GetProperty("category").GetString());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal("docs/findings/tcp-refused.md", finding.GetProperty("docs").GetString());
        foreach (var text in new[] { "cause", "evidence", "fix", "prevention" })
        {
            Assert.False(string.IsNullOrWhiteSpace(finding.GetProperty(text).GetString()), text);
        }
    }

    [Fact]
    public async Task Report_SelfContainedHtmlWithTheFindings_AndNoSecretFromTheRequest()
    {
        await using var node = await PeerServer.NodeAsync(null, "--require-token", "t0p-s3cret");
        using var temp = new TempDirectory();
        var report = Path.Combine(temp.Path, "report.html");

        var result = await CheckAsync(node.Url("/feed?room=<b>"), "-H", "Authorization: Bearer wrong-s3cret", "--report", report);
        var html = await File.ReadAllTextAsync(report);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("auth-required", html);
        Assert.Contains("docs/findings/auth-required.md", html);
        Assert.Contains("room=&lt;b&gt;", html);
        Assert.DoesNotContain("wrong-s3cret", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=", html);
    }

    [Theory]
    [InlineData("https://example.com/", "is not a WebSocket URL")]
    [InlineData("wss://127.0.0.1:1/ --ca /nonexistent.pem", "--ca /nonexistent.pem: cannot read it")]
    [InlineData("wss://127.0.0.1:1/ -H broken", "--header 'broken' is not 'Name: value'")]
    public async Task BadArguments_OneLineExitTwo(string arguments, string message)
    {
        var result = await CheckAsync(arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.DoesNotContain("   at ", result.All);
    }

    private static Task<ToolResult> CheckAsync(params string[] arguments)
        => Tool.RunAsync("dotnet", [Repository.WssDll, "check", .. arguments], TimeSpan.FromSeconds(30));
}
