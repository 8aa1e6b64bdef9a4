namespace WssKit.Cli.Bench;

/// <summary>What every scenario needs: the settings, a way to open connections, the clock and the progress line.</summary>
internal sealed class BenchContext(BenchSettings settings, BenchConnector connector, ProgressLine progress)
{
    public BenchSettings Settings { get; } = settings;

    public BenchConnector Connector { get; } = connector;

    public ProgressLine Progress { get; } = progress;

    public RunClock Clock { get; } = new(progress);

    /// <summary>
    /// Lets the load loops finish their last echoes and closing handshakes for up to the connection timeout, then
    /// ends whatever is left (what never came back counts as lost).
    /// </summary>
    public async Task DrainAsync(Task[] loops, Action disposeAll, CancellationToken hardStop)
    {
        var all = Task.WhenAll(loops);
        try
        {
            await all.WaitAsync(TimeSpan.FromSeconds(Settings.ConnectTimeout), hardStop);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            disposeAll();
            await all;
        }
    }
}
