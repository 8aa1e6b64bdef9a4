namespace WssKit.Diagnostics.Probes;

/// <summary>
/// Slowness judged at the end, on the fastest of all the check's connections and handshakes: the first of each also
/// pays for this process warming up, and one slow sample is noise, not a finding.
/// </summary>
internal static class TimingRules
{
    private static readonly TimeSpan HighLatency = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan SlowHandshake = TimeSpan.FromMilliseconds(200);

    /// <summary>The latency split: network, TLS handshake, upgrade, with the spread of every sample the check took.</summary>
    public static StageReport Split(CheckContext check)
    {
        var stage = new StageRecorder("latency");
        stage.Add("network (TCP connect)", Spread(check.Connects));
        if (check.Secure)
        {
            stage.Add("TLS handshake", Spread(check.Handshakes));
        }
        stage.Add("upgrade answer", Spread(check.Upgrades));
        if (check.Responses.Count > 0)
        {
            stage.Add("message round trip", Spread(check.Responses));
        }
        return stage.Finish(StageOutcome.Passed);
    }

    private static string Spread(List<TimeSpan> samples)
    {
        List<TimeSpan> sorted;
        lock (samples)
        {
            sorted = [.. samples.Order()];
        }
        if (sorted.Count == 0)
        {
            return "not measured";
        }
        TimeSpan At(double quantile) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
        return $"min {StageRecorder.Milliseconds(sorted[0])}, p50 {StageRecorder.Milliseconds(At(0.5))}, p90 {StageRecorder.Milliseconds(At(0.9))}, max {StageRecorder.Milliseconds(sorted[^1])} ({sorted.Count} samples)";
    }

    public static void Judge(CheckContext check)
    {
        var network = check.NetworkRoundTrip;
        if (network > HighLatency)
        {
            check.Find("high-network-latency",
                $"the network round trip to {check.Host} is {StageRecorder.Milliseconds(network)}: every message waits at least that long, and the TLS handshake and upgrade cost a few of them.",
                $"fastest of the check's TCP connects: {StageRecorder.Milliseconds(network)} (above {HighLatency.TotalMilliseconds:0} ms)",
                "serve users from a region near them (a CDN or edge that proxies WebSockets), and keep connections open instead of reconnecting",
                "watch connect times from where your users are, not only from the data centre");
        }
        var handshake = check.FastestHandshake;
        if (handshake > SlowHandshake && handshake > network * 3)
        {
            check.Find("slow-tls-handshake",
                $"the TLS handshake takes {StageRecorder.Milliseconds(handshake)} at best, more than three network round trips ({StageRecorder.Milliseconds(network)} each): the server is slow to sign or overloaded.",
                $"fastest of the check's TLS handshakes: {StageRecorder.Milliseconds(handshake)}; fastest TCP connect: {StageRecorder.Milliseconds(network)}",
                "use an ECDSA P-256 certificate (signing is much cheaper than RSA), enable session resumption, and give the TLS terminator enough CPU",
                "watch handshake times and CPU on the TLS terminator; load-test connection setup (wss bench --scenario connect)");
        }
    }
}
