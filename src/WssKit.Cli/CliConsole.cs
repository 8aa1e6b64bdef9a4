using Spectre.Console;

namespace WssKit.Cli;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, errors to <see cref="Error"/>, plus the environment it reads.
/// Tests pass test consoles and a fake environment; the real one writes to the process's streams.
/// </summary>
internal sealed class CliConsole(IAnsiConsole output, IAnsiConsole error, Func<string, string?> environment, string workingDirectory,
    TextReader? input = null, Stream? rawOut = null, bool interactive = false)
{
    /// <summary>Standard input, for commands that read lines (wss connect in a pipe).</summary>
    public TextReader Input { get; } = input ?? TextReader.Null;

    /// <summary>Standard output as bytes, for data that must pass unchanged (messages in a pipe, JSON lines).</summary>
    public Stream RawOut { get; } = rawOut ?? Stream.Null;

    /// <summary>Whether a person is at a terminal (standard input and output both terminals): prompts instead of pipes.</summary>
    public bool IsInteractive { get; } = interactive;

    /// <summary>Standard output.</summary>
    public IAnsiConsole Out { get; } = output;

    /// <summary>Standard error.</summary>
    public IAnsiConsole Error { get; } = error;

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> Environment { get; } = environment;

    /// <summary>Relative paths in flags are resolved against it.</summary>
    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>The process's own console: colour only on terminals, and no wrapping when output goes to a file or pipe.</summary>
    public static CliConsole System() => new(
        Create(Console.Out, Console.IsOutputRedirected),
        Create(Console.Error, Console.IsErrorRedirected),
        global::System.Environment.GetEnvironmentVariable,
        Directory.GetCurrentDirectory(),
        Console.In,
        Console.OpenStandardOutput(),
        !Console.IsInputRedirected && !Console.IsOutputRedirected);

    /// <summary>Writes a one-line error: "wss: message".</summary>
    public void Fail(string message) => Error.MarkupLineInterpolated($"[red]wss:[/] {message}");

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (redirected)
        {
            // Lines that wrap at 80 columns would break scripts reading them and paths copied from logs.
            console.Profile.Width = 4096;
        }
        return console;
    }
}
