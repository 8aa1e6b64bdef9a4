using Spectre.Console.Testing;
using WssKit.Cli;

namespace WssKit.Tests.TestSupport;

/// <summary>Runs the wss command line in memory: test consoles for output and errors, a dictionary for the environment.</summary>
internal sealed class CliHarness(string workingDirectory)
{
    // Wide enough that no line wraps, so lines can be compared whole.
    public TestConsole Out { get; } = new TestConsole().Width(1000);

    public TestConsole Error { get; } = new TestConsole().Width(1000);

    public Dictionary<string, string> Environment { get; } = [];

    public Task<int> RunAsync(params string[] args)
        => WssCli.RunAsync(args, new CliConsole(Out, Error, name => Environment.GetValueOrDefault(name), workingDirectory));

    /// <summary>The non-empty lines written to standard error, trailing spaces removed.</summary>
    public IReadOnlyList<string> ErrorLines => Lines(Error);

    /// <summary>The non-empty lines written to standard output, trailing spaces removed.</summary>
    public IReadOnlyList<string> OutLines => Lines(Out);

    private static List<string> Lines(TestConsole console)
        => [.. console.Output.Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0)];
}
