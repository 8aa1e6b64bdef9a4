using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using WssKit.Client;
using WssKit.Protocol.Framing;

namespace WssKit.Diagnostics.Probes;

/// <summary>
/// The data path on the upgraded connection: does the endpoint echo; round trips (echoes, or pings where it does not
/// echo) with percentiles; integrity of echoed messages of growing size, up to a bound, which also finds a size limit;
/// and the close handshake.
/// </summary>
internal static class DataProbe
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan FirstAnswer = TimeSpan.FromSeconds(1.5);
    private const int RoundTrips = 10;

    public static async Task RunAsync(CheckContext check, WssClient client, CancellationToken cancellationToken)
    {
        check.Report("data");
        var stage = new StageRecorder("data");
        await using (client)
        {
            using var limit = check.Limit(Limit, cancellationToken);
            try
            {
                var echoes = await EchoesAsync(client, stage, limit.Token);
                var samples = echoes ? await EchoRoundTripsAsync(client, limit.Token) : await PingRoundTripsAsync(client, limit.Token);
                Latency(check, stage, samples, echoes);
                if (echoes && !await IntegrityAsync(check, client, stage, limit.Token))
                {
                    check.Stages.Add(stage.Finish(StageOutcome.Failed));
                    return;
                }
                await CloseAsync(check, client, stage, limit.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                stage.Add("stopped", $"the data stage's {Limit.TotalSeconds:0} s were up");
            }
            catch (ClosedException closed)
            {
                stage.Add("closed", closed.Message);
                Closed(check, closed.Close, closed.During);
                check.Stages.Add(stage.Finish(StageOutcome.Failed));
                return;
            }
        }
        check.Stages.Add(stage.Finish(StageOutcome.Passed));
    }

    /// <summary>Sends a marker and waits briefly: an echo endpoint sends it back.</summary>
    private static async Task<bool> EchoesAsync(WssClient client, StageRecorder stage, CancellationToken cancellationToken)
    {
        var marker = $"wss-check {Guid.NewGuid():N}";
        await client.SendTextAsync(marker, cancellationToken);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(FirstAnswer);
        try
        {
            var first = await NextAsync(client, "waiting for the first answer", wait.Token);
            var echoes = first.Text == marker;
            stage.Add("echoes", echoes ? "yes" : $"no: the first message back was {Describe(first)}");
            return echoes;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            stage.Add("echoes", $"no: nothing came back within {FirstAnswer.TotalSeconds} s (round trips measured with pings)");
            return false;
        }
    }

    private static async Task<List<TimeSpan>> EchoRoundTripsAsync(WssClient client, CancellationToken cancellationToken)
    {
        var samples = new List<TimeSpan>();
        var payload = Encoding.ASCII.GetBytes("wss-check round trip 0123456789");
        for (var i = 0; i < RoundTrips; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.SendAsync(payload, text: true, cancellationToken);
            await NextAsync(client, "measuring round trips", cancellationToken);
            samples.Add(Stopwatch.GetElapsedTime(started));
        }
        return samples;
    }

    private static async Task<List<TimeSpan>> PingRoundTripsAsync(WssClient client, CancellationToken cancellationToken)
    {
        // A pong arrives through the receive loop, which also takes whatever the server pushes meanwhile.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var draining = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && (await client.ReceiveAsync(stop.Token)).Kind != WssMessageKind.Close)
            {
            }
        }, CancellationToken.None);
        var samples = new List<TimeSpan>();
        try
        {
            for (var i = 0; i < RoundTrips; i++)
            {
                samples.Add(await client.PingAsync(cancellationToken));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await draining.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return samples;
    }

    private static void Latency(CheckContext check, StageRecorder stage, List<TimeSpan> samples, bool echoes)
    {
        check.Responses.AddRange(samples);
        samples.Sort();
        TimeSpan At(double quantile) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(quantile * samples.Count) - 1)];
        var (p50, p90, p99) = (At(0.5), At(0.9), At(0.99));
        stage.Add(echoes ? "echo round trip" : "ping round trip", $"p50 {StageRecorder.Milliseconds(p50)}, p90 {StageRecorder.Milliseconds(p90)}, p99 {StageRecorder.Milliseconds(p99)}, max {StageRecorder.Milliseconds(samples[^1])} ({samples.Count} samples)");
        var serverTime = p50 - check.NetworkRoundTrip;
        stage.Add("server response", serverTime > TimeSpan.Zero ? serverTime : TimeSpan.Zero);
        if (serverTime > TimeSpan.FromMilliseconds(200))
        {
            check.Find("slow-server-response", $"the server takes about {StageRecorder.Milliseconds(serverTime)} beyond the network round trip to answer a message: the application or a proxy is busy or queueing.",
                $"{samples.Count} {(echoes ? "echoes of 32 bytes" : "pings")}, one at a time: p50 {StageRecorder.Milliseconds(p50)}; TCP connect (network round trip) {StageRecorder.Milliseconds(check.NetworkRoundTrip)}",
                "profile the server's message handling; look for blocking calls on the receive path and for CPU saturation; check proxy buffering",
                "track message round trips in production metrics and load-test with wss bench --scenario latency");
        }
        if (p99 > TimeSpan.FromMilliseconds(100) && p99 > p50 * 4)
        {
            check.Find("latency-jitter", $"round trips vary widely: p50 {StageRecorder.Milliseconds(p50)} but p99 {StageRecorder.Milliseconds(p99)}. Real-time apps stutter; a lossy network, garbage-collection pauses or an overloaded proxy cause it.",
                $"{samples.Count} round trips: {string.Join(", ", samples.Select(s => StageRecorder.Milliseconds(s)))}",
                "look for packet loss on the path (mtr), pauses in the server (GC logs), and queueing in proxies",
                "watch latency percentiles, not averages, in production");
        }
    }

    /// <summary>Echoes random messages of growing size and compares hashes; false when the connection ended.</summary>
    private static async Task<bool> IntegrityAsync(CheckContext check, WssClient client, StageRecorder stage, CancellationToken cancellationToken)
    {
        var largestGood = 0;
        for (var size = 1024; size <= check.Options.MaxProbeMessage; size *= 4)
        {
            var sent = RandomNumberGenerator.GetBytes(size);
            try
            {
                await client.SendAsync(sent, text: false, cancellationToken);
            }
            catch (IOException)
            {
                // The server hung up while the message was on its way: the receive side says how (a close, or none).
            }
            WssMessage back;
            try
            {
                back = await NextAsync(client, $"echoing {size} bytes", cancellationToken);
            }
            catch (ClosedException closed) when (closed.Close.CloseCode == CloseCodes.MessageTooBig)
            {
                stage.Add("largest message echoed", $"{largestGood} bytes; {size} bytes closed the connection with 1009");
                check.Find("message-size-limit", $"the server accepts messages up to some size between {largestGood} and {size} bytes; a larger one closes the connection with 1009 (message too big).",
                    $"a {size}-byte binary message was answered with close {closed.Close.CloseCode} '{closed.Close.CloseReason}' after {largestGood} bytes echoed intact",
                    "if clients need bigger messages, raise the server's limit (wss serve --max-message-size; nginx has no WebSocket message limit); otherwise make clients split their data",
                    "document the limit for client developers and test messages at the limit");
                return false;
            }
            if (!SHA256.HashData(back.Data.Span).AsSpan().SequenceEqual(SHA256.HashData(sent)))
            {
                stage.Add("integrity", $"{size} bytes came back different");
                check.Find("data-corrupted", $"a {size}-byte message came back different from what was sent: something on the path changes or truncates data.",
                    $"sent {size} random bytes (SHA-256 {Convert.ToHexString(SHA256.HashData(sent))[..16]}...), got {back.Data.Length} bytes (SHA-256 {Convert.ToHexString(SHA256.HashData(back.Data.Span))[..16]}...) as a {back.Kind} message",
                    "look for proxies or middleware that rewrite or buffer WebSocket frames, and for application bugs in the echo path (text decoding of binary data, truncation)",
                    "add end-to-end checksums to important messages; wss check after changes to proxies");
                return false;
            }
            largestGood = size;
        }
        stage.Add("integrity", $"random messages of 1 KiB to {largestGood / 1024} KiB echoed intact (SHA-256 compared)");
        return true;
    }

    private static async Task CloseAsync(CheckContext check, WssClient client, StageRecorder stage, CancellationToken cancellationToken)
    {
        await client.SendCloseAsync(CloseCodes.NormalClosure, "wss check done", cancellationToken);
        while (true)
        {
            var message = await client.ReceiveAsync(cancellationToken);
            if (message.Kind == WssMessageKind.Close)
            {
                stage.Add("close", message.CloseCode == CloseCodes.Abnormal ? "no close frame: the connection just ended" : $"answered with {message.CloseCode}{(string.IsNullOrEmpty(message.CloseReason) ? "" : $" '{message.CloseReason}'")}");
                if (message.CloseCode == CloseCodes.Abnormal)
                {
                    Closed(check, message, "the close handshake");
                }
                return;
            }
        }
    }

    private static void Closed(CheckContext check, WssMessage close, string during)
    {
        if (close.CloseCode == CloseCodes.Abnormal)
        {
            check.Find("abnormal-close", $"the connection ended without a close frame during {during}: clients see 1006 and cannot tell a crash from a network failure.",
                $"during {during}, the TCP connection closed with no WebSocket close frame ({close.CloseReason})",
                "close WebSockets with a close frame and a code (1001 on shutdown); look for crashes, proxy timeouts and load balancers that cut connections",
                "log close codes on both sides and alert on 1006");
        }
        else
        {
            check.Find("abnormal-close", $"the server closed the connection with {close.CloseCode}{(string.IsNullOrEmpty(close.CloseReason) ? "" : $" '{close.CloseReason}'")} during {during}, while the check was only echoing.",
                $"during {during}: close {close.CloseCode} '{close.CloseReason}'",
                "read the server's log for this close code; 1008 and 1011 come from the application, 1002 and 1007 from a protocol problem",
                "log close codes on both sides and alert on unexpected ones");
        }
    }

    private static async Task<WssMessage> NextAsync(WssClient client, string during, CancellationToken cancellationToken)
    {
        var message = await client.ReceiveAsync(cancellationToken);
        return message.Kind == WssMessageKind.Close ? throw new ClosedException(message, during) : message;
    }

    private static string Describe(WssMessage message) => message.Kind == WssMessageKind.Text
        ? $"text '{(message.Text!.Length > 60 ? message.Text[..60] + "..." : message.Text)}'"
        : $"{message.Data.Length} bytes of binary";

    private sealed class ClosedException(WssMessage close, string during) : Exception($"closed with {close.CloseCode} '{close.CloseReason}' while {during}")
    {
        public WssMessage Close { get; } = close;

        public string During { get; } = during;
    }
}
