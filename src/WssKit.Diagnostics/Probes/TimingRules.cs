namespace WssKit.Diagnostics.Probes;

/// <summary>
/// Slowness judged at the end, over every sample the check took. Each figure is judged on its fastest sample (the first
/// connection also pays for this process warming up, and one slow sample is noise), against the round trip of the
/// whole path: the fastest pong, since a TCP connect only reaches the nearest proxy or load balancer.
/// </summary>
internal static class TimingRules
{
    private static readonly TimeSpan HighLatency = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan SlowHandshake = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SlowUpgrade = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SlowResponse = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan JitterFloor = TimeSpan.FromMilliseconds(100);

    /// <summary>The latency split: network, TLS handshake, upgrade, the path (pings) and the application (echoes).</summary>
    public static StageReport Split(CheckContext check)
    {
        var stage = new StageRecorder("latency");
        stage.Add("network (TCP connect)", Spread(check.Connects));
        if (check.Secure)
        {
            stage.Add("TLS handshake", Spread(check.Handshakes));
        }
        stage.Add("upgrade answer", Spread(check.Upgrades));
        if (check.Pings.Count > 0)
        {
            stage.Add("path (ping)", Spread(check.Pings));
        }
        if (check.Responses.Count > 0)
        {
            stage.Add("server response (echo)", Spread(check.Responses));
        }
        return stage.Finish(StageOutcome.Passed);
    }

    public static void Judge(CheckContext check)
    {
        if (Buffering(check))
        {
            // Held small messages make the path, the handshakes and the application all look slow: one cause.
            return;
        }
        var path = check.PathRoundTrip;
        var tcp = check.NetworkRoundTrip;
        var describedPath = check.Pings.Count > 0 ? $"fastest pong {Ms(CheckContext.Fastest(check.Pings))}, fastest TCP connect {Ms(tcp)}" : $"fastest TCP connect {Ms(tcp)}";
        if (path > HighLatency)
        {
            check.Find("high-network-latency",
                $"the round trip to the server is {Ms(path)}: every message waits at least that long, and the TLS handshake and the upgrade cost a few of them."
                    + (check.Pings.Count > 0 && tcp < path / 4 ? " TCP connects are much faster, so a proxy or load balancer close to you forwards to a distant server." : ""),
                $"{describedPath} (above {HighLatency.TotalMilliseconds:0} ms)",
                "serve users from a region near them (a CDN or edge that proxies WebSockets), and keep connections open instead of reconnecting",
                "watch round trips from where your users are, not only from the data centre");
        }
        var handshake = check.FastestHandshake;
        if (handshake > SlowHandshake && handshake > path * 3)
        {
            check.Find("slow-tls-handshake",
                $"the TLS handshake takes {Ms(handshake)} at best, more than three round trips ({Ms(path)} each): the server is slow to sign or overloaded.",
                $"fastest of {check.Handshakes.Count} TLS handshakes: {Ms(handshake)}; {describedPath}",
                "use an ECDSA P-256 certificate (signing is much cheaper than RSA), enable session resumption, and give the TLS terminator enough CPU",
                "watch handshake times and CPU on the TLS terminator; load-test connection setup (wss bench --scenario connect)");
        }
        var upgrade = CheckContext.Fastest(check.Upgrades);
        if (upgrade > path + SlowUpgrade)
        {
            check.Find("slow-upgrade",
                $"the upgrade is answered after {Ms(upgrade)} at best, far more than the round trip ({Ms(path)}): the server or a proxy is slow to accept new WebSockets.",
                $"fastest of {check.Upgrades.Count} upgrade answers: {Ms(upgrade)}; {describedPath}",
                "look at what the server does before accepting (authentication calls, database lookups) and at proxy queues; move slow work after the upgrade",
                "measure upgrade times (wss bench --scenario connect) before releases");
        }
        if (check.Responses.Count > 0 && check.Pings.Count > 0)
        {
            var server = Median(check.Responses) - Median(check.Pings);
            if (server > SlowResponse)
            {
                check.Find("slow-server-response",
                    $"the application takes about {Ms(server)} to answer a message, beyond what the path costs: it is busy, blocked or queueing.",
                    $"{check.Responses.Count} echoes of 32 bytes, one at a time, each after a ping: echo p50 {Ms(Median(check.Responses))}, pong p50 {Ms(Median(check.Pings))}",
                    "profile the server's message handling; look for blocking calls on the receive path and for CPU saturation",
                    "track message round trips in production metrics and load-test with wss bench --scenario latency");
            }
        }
        var samples = check.Responses.Count > 0 ? check.Responses : check.Pings;
        if (samples.Count >= 5)
        {
            List<TimeSpan> sorted;
            lock (samples)
            {
                sorted = [.. samples.Order()];
            }
            // p90, not p99: over twenty samples p99 is the single slowest, and one pause is not a pattern.
            var (p50, p90) = (At(sorted, 0.5), At(sorted, 0.9));
            if (p90 > JitterFloor && p90 > p50 * 4)
            {
                check.Find("latency-jitter",
                    $"round trips vary widely: p50 {Ms(p50)} but p90 {Ms(p90)}. Real-time apps stutter; a lossy or congested path, pauses in the server or a busy proxy cause it.",
                    $"{sorted.Count} round trips: {string.Join(", ", samples.Select(Ms))}",
                    "look for packet loss on the path (mtr), pauses in the server (GC logs), and queueing in proxies",
                    "watch latency percentiles, not averages, in production");
            }
        }
    }

    /// <summary>
    /// Small messages (pongs, short echoes) slow while a 16 KiB or larger echo is fast: something on the way holds small writes
    /// until a buffer fills or a timer fires, which a slow link or a slow server would not do.
    /// </summary>
    private static bool Buffering(CheckContext check)
    {
        var small = check.Responses.Count > 0 ? check.Responses : check.Pings;
        if (small.Count == 0)
        {
            return false;
        }
        var smallP50 = Median(small);
        (int Size, TimeSpan Took)[] fastLarge;
        lock (check.LargeEchoes)
        {
            fastLarge = [.. check.LargeEchoes.Where(echo => echo.Size >= 16 * 1024 && echo.Took < smallP50 / 2)];
        }
        if (smallP50 <= SlowResponse || fastLarge.Length == 0)
        {
            return false;
        }
        check.Find("proxy-buffering",
            $"small messages take {Ms(smallP50)} to come back while a {fastLarge[0].Size / 1024} KiB one takes {Ms(fastLarge[0].Took)}: something on the path holds small writes back until its buffer fills or a timer fires.",
            $"small round trips p50 {Ms(smallP50)} ({small.Count} samples); echoes of the integrity probe: {string.Join(", ", check.LargeEchoes.Select(e => $"{e.Size / 1024} KiB in {Ms(e.Took)}"))}",
            "turn buffering off for WebSocket traffic on the proxy (nginx: proxy_buffering off for that location; a CDN or API gateway: a WebSocket-aware route), and check that TCP_NODELAY is set on both sides",
            "test real-time paths with small messages, not only bulk transfers; wss check through each proxy tier");
        return true;
    }

    /// <summary>min, p50, p90 and max of the samples, for people.</summary>
    public static string Spread(List<TimeSpan> samples)
    {
        List<TimeSpan> sorted;
        lock (samples)
        {
            sorted = [.. samples.Order()];
        }
        return sorted.Count == 0
            ? "not measured"
            : $"min {Ms(sorted[0])}, p50 {Ms(At(sorted, 0.5))}, p90 {Ms(At(sorted, 0.9))}, max {Ms(sorted[^1])} ({sorted.Count} samples)";
    }

    private static TimeSpan Median(List<TimeSpan> samples)
    {
        lock (samples)
        {
            return At([.. samples.Order()], 0.5);
        }
    }

    private static TimeSpan At(List<TimeSpan> sorted, double quantile) => sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1))];

    private static string Ms(TimeSpan value) => StageRecorder.Milliseconds(value);
}
