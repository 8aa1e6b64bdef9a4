using System.Diagnostics;

namespace WssKit.Cli.Bench;

/// <summary>
/// Latency at a fixed rate: --rate messages a second over all connections, round-robin, each on a fixed schedule.
/// A message's latency runs from the time it was <em>scheduled</em> to go, not from when it went: when the server
/// (or anything) stalls, the messages that should have gone meanwhile count their full wait, instead of being
/// quietly sent late and timed from then (coordinated omission). How late the sends were is reported apart.
/// </summary>
internal static class LatencyScenario
{
    private const int ReadBuffer = 16 * 1024;

    public static async Task RunAsync(BenchContext context, BenchResult result, CancellationToken hardStop)
    {
        var settings = context.Settings;
        var pool = new FramePool(settings.Size, settings.Binary, maxBatch: 64);
        var set = new ConnectionSet(context.Connector, pool, ReadBuffer);
        await set.OpenAsync(settings.Connections, settings.Concurrency, result, keepGoing: false, hardStop);
        await using var abort = hardStop.Register(set.DisposeAll);
        var senders = set.Connections.Select(connection => new LatencySender(connection, pool)).ToArray();
        var histogram = new Histogram();
        var schedule = new Schedule(settings);
        var readers = set.Connections.Select((connection, i) => Task.Run(() => ReceiveLoop.RunAsync(connection, senders[i], schedule, histogram), CancellationToken.None)).ToArray();

        long last = 0;
        context.Progress.Describe(_ =>
        {
            var received = set.Received;
            var line = $"{received - last:N0} msgs/s, p99 so far {histogram.ValueAtPercentile(99) / 1000.0:N0} µs, {set.Connections.Count(c => c.Error is not null)} connections dropped";
            last = received;
            return line;
        });
        var cpu = TimeSpan.Zero;
        var scheduler = new Thread(() => schedule.Run(senders, () => cpu = Process.GetCurrentProcess().TotalProcessorTime, hardStop))
        {
            IsBackground = true,
            Name = "wss bench scheduler",
        };
        scheduler.Start();
        await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.Warmup + settings.Duration + 1), "run", () => schedule.Done, hardStop);
        await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.ConnectTimeout), "drain", () => set.Sent == set.Received, hardStop);
        // The last scheduled message is back (or lost): that ends the measured window for the CPU figure too.
        var window = schedule.MeasuredSeconds;
        result.ClientCpuPercent = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / Math.Max(window, 1e-3) * 100;
        foreach (var sender in senders)
        {
            sender.Close();
        }
        await context.DrainAsync(readers, set.DisposeAll, hardStop);
        result.Latency = histogram;
        result.Messages = histogram.Count;
        result.Elapsed = window;
        result.SendLag = schedule.Lag;
        set.Report(result);
    }
}
