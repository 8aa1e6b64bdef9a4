using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Cli;

public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CliHarness _cli;

    public ServeCommandTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    /// <summary>The value and origin columns of the --print-config row for <paramref name="key"/>.</summary>
    private (string Value, string From) Row(string key)
    {
        var row = Assert.Single(_cli.OutLines, line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == key);
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (string.Join(' ', cells[1..^1]), cells[^1]);
    }

    [Fact]
    public async Task PrintConfig_FileVariableAndFlag_ShowsEachValueWithItsOrigin()
    {
        var config = _temp.Write("wss.json", """{ "port": 9443, "maxMessageSize": "4MiB" }""");
        _cli.Environment["WSS_MAX_MESSAGE_SIZE"] = "64KiB";
        _cli.Environment["WSS_IDLE_TIMEOUT"] = "5m";

        var exitCode = await _cli.RunAsync("serve", "--print-config", "--idle-timeout", "90s");

        Assert.Equal(0, exitCode);
        Assert.Empty(_cli.Error.Output);
        Assert.Contains(config, _cli.OutLines[0]);
        Assert.Equal(("9443", "wss.json"), Row("port"));
        Assert.Equal(("64KiB", "WSS_MAX_MESSAGE_SIZE"), Row("maxMessageSize"));
        Assert.Equal(("90s", "--idle-timeout"), Row("idleTimeout"));
        Assert.Equal(("30s", "default"), Row("pingInterval"));
    }

    [Fact]
    public async Task PrintConfig_SwitchFlag_ShownAsTrueFromTheFlag()
    {
        var exitCode = await _cli.RunAsync("serve", "--print-config", "--insecure");

        Assert.Equal(0, exitCode);
        Assert.Equal(("true", "--insecure"), Row("insecure"));
    }

    [Fact]
    public async Task Serve_InvalidSize_ExitsTwoWithOneLineNamingTheFlag()
    {
        var exitCode = await _cli.RunAsync("serve", "--max-message-size", "12x");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(_cli.ErrorLines);
        Assert.Equal("wss: maxMessageSize (--max-message-size, WSS_MAX_MESSAGE_SIZE) = '12x' from --max-message-size: not a size; use a number of bytes or a unit, such as 64KiB or 1MiB", line);
        Assert.Empty(_cli.Out.Output);
    }

    [Fact]
    public async Task Serve_DurationTooLarge_ExitsTwoWithOneLineNamingTheFlag()
    {
        var exitCode = await _cli.RunAsync("serve", "--idle-timeout", "99999999d");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(_cli.ErrorLines);
        Assert.StartsWith("wss: idleTimeout (--idle-timeout, WSS_IDLE_TIMEOUT) = '99999999d' from --idle-timeout: not a duration;", line);
    }

    [Fact]
    public async Task Serve_MissingConfigFile_ExitsTwoNamingTheFile()
    {
        var exitCode = await _cli.RunAsync("serve", "--config", "nope.json");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(_cli.ErrorLines);
        Assert.StartsWith($"wss: the config file {_temp.File("nope.json")} does not exist", line);
    }
}
