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
    // Ten round trips and six integrity messages must fit on a slow path too (ten 250 ms round trips are 2.5 s).
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstAnswer = TimeSpan.FromSeconds(1.5);
    // Twenty round trips, so that a percentile is not one pause of this machine; at least three, and no more once
    // 1.5 seconds are spent (a slow path must leave time for the integrity probe).
    private const int RoundTrips = 20;
    private const int MinimumRoundTrips = 3;
    private static readonly TimeSpan RoundTripTime = TimeSpan.FromSeconds(1.5);

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
                check.Echoes = echoes;
                if (echoes)
                {
                    await EchoRoundTripsAsync(check, client, limit.Token);
                }
                else
                {
                    await PingRoundTripsAsync(check, client, limit.Token);
                }
                stage.Add("ping round trip", TimingRules.Spread(check.Pings));
                if (echoes)
                {
                    stage.Add("echo round trip", TimingRules.Spread(check.Responses));
                }
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

    /// <summary>
    /// Round trips one at a time, each a ping then a 32-byte echo: the pong is the WebSocket layer answering (the path),
    /// the echo is the application answering; the difference is the server's own time.
    /// </summary>
    private static async Task EchoRoundTripsAsync(CheckContext check, WssClient client, CancellationToken cancellationToken)
    {
        var payload = Encoding.ASCII.GetBytes("wss-check round trip 0123456789");
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < RoundTrips && (i < MinimumRoundTrips || Stopwatch.GetElapsedTime(started) < RoundTripTime); i++)
        {
            var sent = Stopwatch.GetTimestamp();
            var pong = client.PingAsync(cancellationToken);
            await client.SendAsync(payload, text: true, cancellationToken);
            await NextAsync(client, "measuring round trips", cancellationToken);
            check.Observe(check.Responses, Stopwatch.GetElapsedTime(sent));
            // The pong came before the echo, so it has been read by now.
            check.Observe(check.Pings, await pong.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken));
        }
    }

    /// <summary>Pings where the endpoint does not echo; a receive loop meanwhile takes the pongs and whatever the server pushes.</summary>
    private static async Task PingRoundTripsAsync(CheckContext check, WssClient client, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var draining = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && (await client.ReceiveAsync(stop.Token)).Kind != WssMessageKind.Close)
            {
            }
        }, CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < RoundTrips && (i < MinimumRoundTrips || Stopwatch.GetElapsedTime(started) < RoundTripTime); i++)
            {
                check.Observe(check.Pings, await client.PingAsync(cancellationToken));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await draining.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Echoes random messages of growing size and compares hashes; false when the connection ended.</summary>
    private static async Task<bool> IntegrityAsync(CheckContext check, WssClient client, StageRecorder stage, CancellationToken cancellationToken)
    {
        var largestGood = 0;
        for (var size = 1024; size <= check.Options.MaxProbeMessage; size *= 4)
        {
            var sent = RandomNumberGenerator.GetBytes(size);
            var echoStarted = Stopwatch.GetTimestamp();
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
            check.Observe(check.LargeEchoes, size, Stopwatch.GetElapsedTime(echoStarted));
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
