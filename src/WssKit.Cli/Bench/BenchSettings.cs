namespace WssKit.Cli.Bench;

/// <summary>The load a bench run puts on the server.</summary>
internal enum Scenario
{
    /// <summary>Echo throughput: every connection keeps a window of messages in flight.</summary>
    Echo,
    /// <summary>Latency at a fixed total rate, measured from each message's scheduled send time.</summary>
    Latency,
    /// <summary>Connection setup rate: TCP + TLS + upgrade + one echo + close handshake, a few at a time.</summary>
    Connect,
    /// <summary>Idle connections opened and held, for measuring the server's memory.</summary>
    Idle,
}

/// <summary>What a bench run was asked to do, validated: every value is in range once <see cref="Validate"/> returns null.</summary>
internal sealed record BenchSettings
{
    /// <summary>The most connections one run opens (file descriptors and client memory stay reasonable).</summary>
    public const int MaxConnections = 100_000;

    /// <summary>The largest message: 16 MiB.</summary>
    public const int MaxSize = 16 * 1024 * 1024;

    /// <summary>The highest fixed rate, in messages per second.</summary>
    public const double MaxRate = 10_000_000;

    /// <summary>The longest measured window: a day.</summary>
    public const double MaxDuration = 86_400;

    public required Uri Url { get; init; }

    public Scenario Scenario { get; init; } = Scenario.Echo;

    public int Connections { get; init; } = 64;

    public int Window { get; init; } = 16;

    public int Size { get; init; } = 32;

    public bool Binary { get; init; }

    public double Rate { get; init; } = 5000;

    public int Concurrency { get; init; } = 16;

    public double Duration { get; init; } = 10;

    public double Warmup { get; init; } = 1;

    /// <summary>Messages (echo, latency) or connections (connect) in the measured window; null for no limit.</summary>
    public long? Count { get; init; }

    public double ConnectTimeout { get; init; } = 10;

    /// <summary>
    /// When the run is stopped whatever happens: warm-up, the measured window, the connection timeout once for
    /// opening and once more for draining and closing. Idle runs open their connections C at a time, so they get
    /// the timeout once per round of C.
    /// </summary>
    public TimeSpan HardLimit
    {
        get
        {
            var openRounds = Scenario == Scenario.Idle ? Math.Ceiling((double)Connections / Concurrency) : 1;
            return TimeSpan.FromSeconds(Warmup + Duration + ConnectTimeout * (openRounds + 1) + 5);
        }
    }

    /// <summary>The first problem with these settings, as "what is wrong: how to fix it", or null when they are fine.</summary>
    public string? Validate()
    {
        if (Url.Scheme is not ("ws" or "wss"))
        {
            return $"'{Url}' is not a WebSocket URL: use ws://host/path or wss://host/path";
        }
        if (Connections is < 1 or > MaxConnections)
        {
            return $"--connections {Connections} is out of range: give 1 to {MaxConnections:N0}";
        }
        if (Window is < 1 or > 65_536)
        {
            return $"--window {Window} is out of range: give 1 to 65,536 messages in flight per connection";
        }
        if (Size is < 0 or > MaxSize)
        {
            return $"--size {Size} is out of range: give 0 to {MaxSize:N0} bytes";
        }
        if (!double.IsFinite(Rate) || Rate <= 0 || Rate > MaxRate)
        {
            return $"--rate {Rate} is out of range: give more than 0 and at most {MaxRate:N0} messages per second";
        }
        if (Concurrency is < 1 or > 10_000)
        {
            return $"--concurrency {Concurrency} is out of range: give 1 to 10,000 connection setups at a time";
        }
        if (!double.IsFinite(Duration) || Duration <= 0 || Duration > MaxDuration)
        {
            return $"--duration {Duration} is out of range: give more than 0 and at most {MaxDuration:N0} seconds";
        }
        if (!double.IsFinite(Warmup) || Warmup < 0 || Warmup > 3600)
        {
            return $"--warmup {Warmup} is out of range: give 0 to 3,600 seconds";
        }
        if (!double.IsFinite(ConnectTimeout) || ConnectTimeout <= 0 || ConnectTimeout > 3600)
        {
            return $"--connect-timeout {ConnectTimeout} is out of range: give more than 0 and at most 3,600 seconds";
        }
        if (Count is { } count)
        {
            if (count < 1)
            {
                return $"--count {count} is out of range: give at least 1, or leave it out to run for --duration";
            }
            if (Scenario == Scenario.Idle)
            {
                return "--count does not apply to --scenario idle: give the number of connections with --connections";
            }
        }
        return null;
    }
}
