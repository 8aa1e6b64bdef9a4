using System.Diagnostics;
using WssKit.Client;
using WssKit.Protocol.Framing;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// How long an idle connection survives, with and without pings: two connections held side by side for the given
/// time, one silent, one pinging. A proxy or load balancer with an idle timeout cuts the silent one only; a limit on
/// connection lifetime cuts both.
/// </summary>
internal static class IdleProbe
{
    public static async Task RunAsync(CheckContext check, TimeSpan duration, CancellationToken cancellationToken)
    {
        check.Report("idle");
        var stage = new StageRecorder("idle");
        var options = check.ExtraConnectionOptions;
        var pingEvery = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(15).Ticks, duration.Ticks / 5));
        try
        {
            await using var silent = await WssClient.ConnectAsync(check.Target, options, cancellationToken);
            await using var pinged = await WssClient.ConnectAsync(check.Target, options, cancellationToken);
            var results = await Task.WhenAll(HoldAsync(silent, duration, null, cancellationToken), HoldAsync(pinged, duration, pingEvery, cancellationToken));
            var (quiet, pinging) = (results[0], results[1]);
            stage.Add("held for", $"{duration.TotalSeconds:0.#} s");
            stage.Add("silent connection", Describe(quiet, duration));
            stage.Add($"pinged every {pingEvery.TotalSeconds:0.#} s", Describe(pinging, duration));
            if (quiet.Closed is not null)
            {
                var both = pinging.Closed is not null;
                check.Find("idle-timeout",
                    both
                        ? $"connections are cut after about {quiet.After.TotalSeconds:0.#} s whatever they do: a proxy or load balancer limits their lifetime (or its idle timer ignores pings)."
                        : $"a connection with no traffic is cut after about {quiet.After.TotalSeconds:0.#} s, while one that pings every {pingEvery.TotalSeconds:0.#} s stays open: an idle timeout on the way (proxy_read_timeout, a load balancer's idle timeout).",
                    $"two connections held for {duration.TotalSeconds:0.#} s: the silent one {Describe(quiet, duration)}; the pinged one {Describe(pinging, duration)}",
                    both
                        ? "raise the connection lifetime limit of the proxy or load balancer (HAProxy timeout tunnel, nginx proxy_read_timeout with pings from the server) and make clients reconnect"
                        : $"send pings (or any message) more often than every {quiet.After.TotalSeconds * 0.5:0} s from the server or the client (wss serve pings by itself), or raise the idle timeout (nginx proxy_read_timeout, HAProxy timeout tunnel, AWS ALB idle timeout)",
                    "keep a keep-alive interval well under the smallest idle timeout on the path, and make clients reconnect with backoff");
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

    private sealed record Held(WssMessage? Closed, TimeSpan After);

    /// <summary>Keeps the connection open for <paramref name="duration"/> (pinging when asked), or until it is closed.</summary>
    private static async Task<Held> HoldAsync(WssClient client, TimeSpan duration, TimeSpan? pingEvery, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hold.CancelAfter(duration);
        var pinging = pingEvery is { } every ? PingAsync(client, every, hold.Token) : Task.CompletedTask;
        try
        {
            while (true)
            {
                var message = await client.ReceiveAsync(hold.Token);
                if (message.Kind == WssMessageKind.Close)
                {
                    return new Held(message, Stopwatch.GetElapsedTime(started));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Held(null, duration);
        }
        finally
        {
            await hold.CancelAsync();
            await pinging.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task PingAsync(WssClient client, TimeSpan every, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(every, cancellationToken);
            try
            {
                await client.PingAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private static string Describe(Held held, TimeSpan duration) => held.Closed is { } close
        ? $"closed after {held.After.TotalSeconds:0.0} s ({(close.CloseCode == CloseCodes.Abnormal ? "no close frame" : $"close {close.CloseCode}{(string.IsNullOrEmpty(close.CloseReason) ? "" : $" '{close.CloseReason}'")}")})"
        : $"open for the whole {duration.TotalSeconds:0.#} s";
}
