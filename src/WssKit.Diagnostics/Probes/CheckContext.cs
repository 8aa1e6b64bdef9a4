using System.Diagnostics;
using System.Net;
using WssKit.Diagnostics.Findings;

namespace WssKit.Diagnostics.Probes;

/// <summary>What the stages share while a check runs: the target, the time left, what earlier stages learned, the findings.</summary>
internal sealed class CheckContext(Uri target, CheckOptions options, IProgress<string>? progress)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public Uri Target { get; } = target;

    public CheckOptions Options { get; } = options;

    public string Host { get; } = target.IdnHost.Trim('[', ']');

    public int Port { get; } = target.Port;

    public bool Secure { get; } = target.Scheme is "wss" or "https";

    /// <summary>Whether the data stage found that the endpoint sends messages back.</summary>
    public bool Echoes { get; set; }

    /// <summary>The Origin a page on the site would send: the one given, else the URL's own.</summary>
    public string Origin => Options.Origin ?? $"{(Secure ? "https" : "http")}://{Target.Authority}";

    /// <summary>Options for the check's extra connections (idle, throughput): as a page on the site would open them.</summary>
    public Client.WssClientOptions ExtraConnectionOptions => new()
    {
        Origin = Origin,
        Headers = Options.Headers,
        Subprotocols = Options.Subprotocols,
        UseEnvironmentProxy = false,
        // The certificate was judged by the TLS stage; these connections measure something else.
        DangerousAcceptAnyServerCertificate = true,
    };

    public List<StageReport> Stages { get; } = [];

    public List<Finding> Findings { get; } = [];

    /// <summary>Addresses from DNS (or the literal in the URL).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; set; } = [];

    /// <summary>The certificate served on the direct path, to compare with what a proxy's tunnel shows.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? DirectLeaf { get; set; }

    /// <summary>Every address that accepted a TCP connection, fastest first.</summary>
    public IReadOnlyList<IPAddress> Connected { get; set; } = [];

    /// <summary>The address the later stages use: the first that accepted a TCP connection.</summary>
    public IPAddress? Address { get; set; }

    /// <summary>Every TCP connect of every stage: the fastest is the network round trip other timings are judged against.</summary>
    public List<TimeSpan> Connects { get; } = [];

    /// <summary>Every TLS handshake (the first also pays for this process warming up).</summary>
    public List<TimeSpan> Handshakes { get; } = [];

    /// <summary>Every upgrade: request sent to answer read.</summary>
    public List<TimeSpan> Upgrades { get; } = [];

    /// <summary>Echo round trips on the upgraded connection: the application answering.</summary>
    public List<TimeSpan> Responses { get; } = [];

    /// <summary>Echoes of the integrity probe: size and round trip.</summary>
    public List<(int Size, TimeSpan Took)> LargeEchoes { get; } = [];

    public void Observe(List<(int Size, TimeSpan Took)> samples, int size, TimeSpan took)
    {
        lock (samples)
        {
            samples.Add((size, took));
        }
    }

    /// <summary>Ping round trips: the server's WebSocket layer answering, so the whole path through any proxy.</summary>
    public List<TimeSpan> Pings { get; } = [];

    public TimeSpan NetworkRoundTrip => Fastest(Connects);

    public TimeSpan FastestHandshake => Fastest(Handshakes);

    public void ObserveConnect(TimeSpan took) => Observe(Connects, took);

    public void ObserveHandshake(TimeSpan took) => Observe(Handshakes, took);

    public void ObserveUpgrade(TimeSpan took) => Observe(Upgrades, took);

    /// <summary>
    /// The round trip of the whole path: the fastest pong when there were pings (a TCP connect only reaches the nearest
    /// proxy or load balancer), else the fastest TCP connect.
    /// </summary>
    public TimeSpan PathRoundTrip => Math.Max(Fastest(Pings).Ticks, NetworkRoundTrip.Ticks) is var ticks ? TimeSpan.FromTicks(ticks) : default;

    public void Observe(List<TimeSpan> samples, TimeSpan took)
    {
        lock (samples)
        {
            samples.Add(took);
        }
    }

    public static TimeSpan Fastest(List<TimeSpan> samples)
    {
        lock (samples)
        {
            return samples.Count == 0 ? TimeSpan.Zero : samples.Min();
        }
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>A token for a stage: its own limit, cut short by what is left of the whole check's budget.</summary>
    public CancellationTokenSource Limit(TimeSpan stageLimit, CancellationToken cancellationToken)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = Options.Budget - Elapsed;
        limit.CancelAfter(left < stageLimit ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : stageLimit);
        return limit;
    }

    public void Report(string stage) => progress?.Report(stage);

    public void Find(string id, string cause, string evidence, string fix, string prevention)
        => Findings.Add(Finding.Of(id, cause, evidence, fix, prevention));

    public string Endpoint(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{Port}" : $"{address}:{Port}";
}
