using System.Diagnostics;

namespace WssKit.Cli.Bench;

/// <summary>
/// Times the phases of a run (warm-up, the measured window) and writes the progress line once a second: the
/// scenario supplies the line's text from its live counters.
/// </summary>
internal sealed class RunClock(ProgressLine progress)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Waits <paramref name="length"/>, or until <paramref name="done"/> says so; ticks the progress line every second
    /// (with the seconds since the run began). Returns the time waited.
    /// </summary>
    public async Task<TimeSpan> WaitAsync(TimeSpan length, string phase, Func<bool>? done, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var nextTick = TimeSpan.FromSeconds(1);
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= length || (done?.Invoke() ?? false) || cancellationToken.IsCancellationRequested)
            {
                return elapsed;
            }
            if (elapsed >= nextTick)
            {
                progress.Tick(phase, elapsed);
                nextTick += TimeSpan.FromSeconds(1);
            }
            var wait = new[] { length - elapsed, nextTick - elapsed, done is null ? TimeSpan.MaxValue : Poll }.Min();
            try
            {
                await Task.Delay(wait, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return Stopwatch.GetElapsedTime(start);
            }
        }
    }
}
