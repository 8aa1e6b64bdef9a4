using Spectre.Console;

namespace WssKit.Cli.Bench;

/// <summary>
/// One line a second on standard error while a run goes on ("measure 3 s: 1,204,311 msgs/s, 0 errors"), when
/// standard error is a terminal or --progress asks for it. The scenario says what the line holds.
/// </summary>
internal sealed class ProgressLine(CliConsole console, bool enabled)
{
    private Func<TimeSpan, string>? _describe;

    /// <summary>The scenario's counters, as text for the last second.</summary>
    public void Describe(Func<TimeSpan, string> describe) => _describe = describe;

    public void Tick(string phase, TimeSpan elapsed)
    {
        if (enabled && _describe is { } describe)
        {
            console.Error.MarkupLineInterpolated($"[grey]{phase} {elapsed.TotalSeconds,3:0} s:[/] {describe(elapsed)}");
        }
    }
}
