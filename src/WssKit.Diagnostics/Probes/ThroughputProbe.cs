using System.Diagnostics;
using WssKit.Client;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// How much data gets through: 64 KiB messages echoed with up to 16 in flight (1 MiB) for a few seconds, on a
/// connection of its own. Only an echo endpoint can be measured this way.
/// </summary>
internal static class ThroughputProbe
{
    private const int MessageSize = 64 * 1024;
    private const int InFlight = 16;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);
    private const double LowBytesPerSecond = 1_000_000;

    public static async Task RunAsync(CheckContext check, CancellationToken cancellationToken)
    {
        check.Report("throughput");
        var stage = new StageRecorder("throughput");
        if (!check.Echoes)
        {
            stage.Add("skipped", "the endpoint does not echo: nothing comes back to measure");
            check.Stages.Add(stage.Finish(StageOutcome.Skipped));
            return;
        }
        try
        {
            await using var client = await WssClient.ConnectAsync(check.Target, check.ExtraConnectionOptions with { Compression = false }, cancellationToken);
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            run.CancelAfter(Duration);
            var payload = new byte[MessageSize];
            Random.Shared.NextBytes(payload);
            using var window = new SemaphoreSlim(InFlight);
            long received = 0;
            var started = Stopwatch.GetTimestamp();
            var sending = Task.Run(async () =>
            {
                while (!run.IsCancellationRequested)
                {
                    await window.WaitAsync(run.Token);
                    await client.SendAsync(payload, text: false, run.Token);
                }
            }, CancellationToken.None);
            try
            {
                while (!run.IsCancellationRequested)
                {
                    var message = await client.ReceiveAsync(run.Token);
                    if (message.Kind == WssKit.Client.WssMessageKind.Close)
                    {
                        stage.Add("closed", $"{message.CloseCode} {message.CloseReason}");
                        break;
                    }
                    received += message.Data.Length;
                    window.Release();
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The measuring time is over.
            }
            var took = Stopwatch.GetElapsedTime(started);
            await sending.ContinueWith(_ => { }, TaskScheduler.Default);
            var rate = received / took.TotalSeconds;
            stage.Add("echoed", $"{received / 1_000_000.0:0.0} MB in {took.TotalSeconds:0.0} s: {rate / 1_000_000.0:0.00} MB/s ({MessageSize / 1024} KiB messages, {InFlight} in flight)");
            if (rate < LowBytesPerSecond)
            {
                check.Find("low-throughput", $"only {rate / 1_000_000.0:0.00} MB/s gets through to the server and back: large messages and bursts will queue, and real-time updates fall behind.",
                    $"{MessageSize / 1024} KiB binary messages echoed with up to {InFlight} in flight for {took.TotalSeconds:0.0} s: {received} bytes came back",
                    "find the narrow link: a rate-limited proxy or load balancer tier, a small instance's network cap, per-connection rate limits; compare with wss check from closer to the server",
                    "load-test the path with wss bench before launches, and watch bandwidth on each tier");
            }
        }
        catch (WssConnectException e)
        {
            stage.Add("error", e.Message);
            check.Stages.Add(stage.Finish(StageOutcome.Failed));
            return;
        }
        check.Stages.Add(stage.Finish(StageOutcome.Passed));
    }
}
