using System.Diagnostics;

namespace WssKit.Cli.Bench;

/// <summary>
/// Idle connections held: opens --connections connections, --concurrency at a time, holds them for --duration
/// without sending anything (answering the server's pings), then closes them all. What is measured is on the
/// server's side (its memory per connection); the run reports how many stayed open.
/// </summary>
internal static class IdleScenario
{
    public static async Task RunAsync(BenchContext context, BenchResult result, CancellationToken hardStop)
    {
        var settings = context.Settings;
        var pool = new FramePool(settings.Size, settings.Binary, 1);
        // No read buffer per connection: the receive loop borrows one only when something arrives.
        var set = new ConnectionSet(context.Connector, pool, readBuffer: 0);
        await using var abort = hardStop.Register(set.DisposeAll);
        context.Progress.Describe(_ => $"{set.Connections.Count:N0} open, {result.FailureCount:N0} failed, {set.Connections.Count(c => c.Error is not null):N0} dropped");
        var start = Stopwatch.GetTimestamp();
        var opening = set.OpenAsync(settings.Connections, settings.Concurrency, result, keepGoing: true, hardStop);
        await context.Clock.WaitAsync(TimeSpan.MaxValue, "open", () => opening.IsCompleted, hardStop);
        await opening;
        result.OpenSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var senders = set.Connections.Select(connection => new LatencySender(connection, pool)).ToArray();
        var readers = set.Connections.Select((connection, i) => Task.Run(() => ReceiveLoop.RunAsync(connection, senders[i], null, null), CancellationToken.None)).ToArray();
        var held = await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.Duration), "hold", null, hardStop);
        result.Held = held.TotalSeconds;
        result.Elapsed = held.TotalSeconds;
        foreach (var sender in senders)
        {
            sender.Close();
        }
        await context.DrainAsync(readers, set.DisposeAll, hardStop);
        set.Report(result);
    }
}
