using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Cli.Bench;

public sealed class BenchArgumentsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CliHarness _cli;

    public BenchArgumentsTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("--connections 0", "--connections 0 is out of range: give 1 to 100,000")]
    [InlineData("-c 100001", "--connections 100001 is out of range")]
    [InlineData("--window 0", "--window 0 is out of range")]
    [InlineData("--size -1", "--size -1 is out of range: give 0 to 16,777,216 bytes")]
    [InlineData("--scenario latency --rate 0", "--rate 0 is out of range")]
    [InlineData("--concurrency 0", "--concurrency 0 is out of range")]
    [InlineData("--duration 0", "--duration 0 is out of range")]
    [InlineData("--duration -3", "--duration -3 is out of range")]
    [InlineData("--warmup -1", "--warmup -1 is out of range")]
    [InlineData("--count 0", "--count 0 is out of range: give at least 1")]
    [InlineData("--scenario idle --count 5", "--count does not apply to --scenario idle")]
    [InlineData("--connect-timeout 0", "--connect-timeout 0 is out of range")]
    [InlineData("--header NoColon", "--header 'NoColon' is not 'Name: value'")]
    [InlineData("--ca missing.pem", "--ca missing.pem: no such file")]
    public async Task Bench_BadValue_ExitsTwoWithOneLineNamingIt(string arguments, string expected)
    {
        var exitCode = await _cli.RunAsync(["bench", "wss://127.0.0.1:1/", .. arguments.Split(' ')]);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(_cli.ErrorLines);
        Assert.StartsWith("wss: ", error);
        Assert.Contains(expected, error);
        Assert.Empty(_cli.Out.Output);
    }

    [Theory]
    [InlineData("https://example.com/", "is not a WebSocket URL: use ws://host/path or wss://host/path")]
    [InlineData("not a url", "is not a URL")]
    public async Task Bench_NotAWebSocketUrl_ExitsTwo(string url, string expected)
    {
        var exitCode = await _cli.RunAsync("bench", url);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, Assert.Single(_cli.ErrorLines));
    }

    [Fact]
    public async Task Bench_UnknownScenario_ExitsTwoNamingIt()
    {
        var exitCode = await _cli.RunAsync("bench", "wss://127.0.0.1:1/", "--scenario", "flood");

        Assert.Equal(2, exitCode);
        Assert.Contains(_cli.ErrorLines, line => line.StartsWith("wss:", StringComparison.Ordinal) && line.Contains("flood", StringComparison.Ordinal));
    }
}
