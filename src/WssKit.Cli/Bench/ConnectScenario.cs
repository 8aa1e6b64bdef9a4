using System.Diagnostics;
using WssKit.Client;
using WssKit.Protocol.Framing;

namespace WssKit.Cli.Bench;

/// <summary>
/// Connection setup rate: --concurrency workers each open a connection (TCP, full TLS handshake, upgrade), echo one
/// message, do the closing handshake and start again, with the client library as a user would. Every whole
/// connection is timed; failures are counted by the stage that failed.
/// </summary>
internal static class ConnectScenario
{
    public static async Task RunAsync(BenchContext context, BenchResult result, CancellationToken hardStop)
    {
        var settings = context.Settings;
        var payload = new FramePool(settings.Size, settings.Binary, 1).Payload;
        var histogram = new Histogram();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        // With no warm-up the first connections are measured too.
        var run = new Run { Measuring = settings.Warmup == 0 };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var workers = Enumerable.Range(0, settings.Concurrency)
            .Select(_ => Task.Run(() => WorkerAsync(context, payload, run, histogram, result, abort.Token), CancellationToken.None)).ToArray();

        long last = 0;
        context.Progress.Describe(_ =>
        {
            var done = Volatile.Read(ref run.Done);
            var line = $"{done - last:N0} connections/s, {result.FailureCount:N0} failed";
            last = done;
            return line;
        });
        try
        {
            if (settings.Warmup > 0)
            {
                await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.Warmup), "warm-up", () => workers.All(w => w.IsCompleted), hardStop);
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                run.Measuring = true;
            }
            var window = await context.Clock.WaitAsync(TimeSpan.FromSeconds(settings.Duration), "measure",
                () => Volatile.Read(ref run.Measured) >= (settings.Count ?? long.MaxValue) || workers.All(w => w.IsCompleted), hardStop);
            run.Measuring = false;
            run.Stopped = true;
            result.Elapsed = window.TotalSeconds;
            result.ClientCpuPercent = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / window.TotalSeconds * 100;
        }
        finally
        {
            run.Stopped = true;
            await context.DrainAsync(workers, abort.Cancel, hardStop);
        }
        result.Completed = run.Measured;
        result.Latency = histogram;
    }

    private sealed class Run
    {
        public volatile bool Measuring;
        public volatile bool Stopped;
        public long Done;
        public long Measured;
        public long Started;
    }

    private static async Task WorkerAsync(BenchContext context, byte[] payload, Run run, Histogram histogram, BenchResult result, CancellationToken abort)
    {
        var settings = context.Settings;
        var text = !settings.Binary;
        while (!run.Stopped && !abort.IsCancellationRequested)
        {
            var measured = run.Measuring;
            if (measured && Interlocked.Increment(ref run.Started) > (settings.Count ?? long.MaxValue))
            {
                // --count connections are under way or done: this worker's part is over.
                return;
            }
            var start = Stopwatch.GetTimestamp();
            var stage = "tcp";
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(abort);
                limit.CancelAfter(TimeSpan.FromSeconds(settings.ConnectTimeout * 3));
                await using var client = await WssClient.ConnectAsync(context.Connector.Url, context.Connector.Options, limit.Token);
                if (result.TlsVersion is null && client.Tls is { } tls)
                {
                    lock (result)
                    {
                        result.TlsVersion ??= tls.Protocol;
                        result.Cipher ??= tls.CipherSuite;
                    }
                }
                stage = "echo";
                await client.SendAsync(payload, text, limit.Token);
                var echo = await client.ReceiveAsync(limit.Token);
                if (echo.Kind == WssMessageKind.Close)
                {
                    result.AddFailure(stage, $"echo: the server closed the connection instead of echoing (code {echo.CloseCode}{(string.IsNullOrEmpty(echo.CloseReason) ? "" : ", " + echo.CloseReason)})");
                    continue;
                }
                if (echo.Kind != (text ? WssMessageKind.Text : WssMessageKind.Binary) || !echo.Data.Span.SequenceEqual(payload))
                {
                    lock (result)
                    {
                        result.Corrupted++;
                    }
                    result.AddError("echo: a message came back different from what was sent");
                }
                stage = "close";
                var close = await client.CloseAsync(CloseCodes.NormalClosure, "", limit.Token);
                if (close.CloseCode != CloseCodes.NormalClosure)
                {
                    result.AddFailure(stage, $"close: the server answered the close with {close.CloseCode} {close.CloseReason}".TrimEnd());
                    continue;
                }
                Interlocked.Increment(ref run.Done);
                if (measured && run.Measuring)
                {
                    Interlocked.Increment(ref run.Measured);
                    histogram.Record(Schedule.Nanoseconds(Stopwatch.GetTimestamp() - start));
                }
            }
            catch (WssConnectException e)
            {
                result.AddFailure(e.Stage.ToString().ToLowerInvariant(), e.Message);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                result.AddFailure(stage, $"{stage}: no answer within {settings.ConnectTimeout * 3:0.#} s");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
            {
                result.AddFailure(stage, $"{stage}: {e.Message.TrimEnd('.')}");
            }
        }
    }
}
