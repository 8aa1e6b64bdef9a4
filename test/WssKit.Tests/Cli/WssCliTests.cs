using WssKit.Tests.TestSupport;

namespace WssKit.Tests.Cli;

public sealed class WssCliTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CliHarness _cli;

    public WssCliTests() => _cli = new CliHarness(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RunAsync_UnknownOption_ExitsTwoWithOneErrorLineNamingIt()
    {
        var exitCode = await _cli.RunAsync("serve", "--no-such-option");

        Assert.Equal(2, exitCode);
        var error = Assert.Single(_cli.ErrorLines, line => line.StartsWith("wss:", StringComparison.Ordinal));
        Assert.Contains("'--no-such-option'", error);
        Assert.Equal("See 'wss serve --help'.", _cli.ErrorLines[^1]);
        Assert.Equal(2, _cli.ErrorLines.Count);
        Assert.Empty(_cli.Out.Output);
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_ExitsTwoPointingAtRootHelp()
    {
        var exitCode = await _cli.RunAsync("serv");

        Assert.Equal(2, exitCode);
        Assert.Contains(_cli.ErrorLines, line => line.StartsWith("wss:", StringComparison.Ordinal) && line.Contains("'serv'", StringComparison.Ordinal));
        Assert.Equal("See 'wss --help'.", _cli.ErrorLines[^1]);
    }

    [Fact]
    public async Task RunAsync_Help_ExitsZeroListingTheCommands()
    {
        var exitCode = await _cli.RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains(_cli.OutLines, line => line.TrimStart().StartsWith("serve", StringComparison.Ordinal));
        Assert.Contains(_cli.OutLines, line => line.TrimStart().StartsWith("cert", StringComparison.Ordinal));
        Assert.Empty(_cli.Error.Output);
    }
}
