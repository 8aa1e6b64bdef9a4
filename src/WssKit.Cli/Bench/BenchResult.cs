namespace WssKit.Cli.Bench;

/// <summary>Every figure of a finished run; the report renders it as a table or as JSON.</summary>
internal sealed class BenchResult(BenchSettings settings)
{
    private readonly List<string> _errors = [];

    public BenchSettings Settings { get; } = settings;

    public string? TlsVersion { get; set; }

    public string? Cipher { get; set; }

    /// <summary>The measured window, in seconds (shorter than asked when --count ended it first).</summary>
    public double Elapsed { get; set; }

    /// <summary>Echoes received in the measured window.</summary>
    public long Messages { get; set; }

    /// <summary>Messages sent in the whole run, warm-up included.</summary>
    public long Sent { get; set; }

    /// <summary>Echoes received in the whole run, warm-up included.</summary>
    public long Received { get; set; }

    /// <summary>Messages sent and never echoed by the end of the run.</summary>
    public long Lost => Math.Max(0, Sent - Received);

    /// <summary>Echoes that differ from what was sent: length, type or bytes.</summary>
    public long Corrupted { get; set; }

    /// <summary>Connections open for the run (echo, latency, idle).</summary>
    public int Opened { get; set; }

    /// <summary>Connections that ended before the run did: closed by the server, reset, or broken by a protocol error.</summary>
    public int Dropped { get; set; }

    /// <summary>Latency from each message's scheduled send time to its echo (latency), or the time of each whole connection (connect).</summary>
    public Histogram? Latency { get; set; }

    /// <summary>How late the sends went out behind their schedule (latency): the load generator's own lateness.</summary>
    public Histogram? SendLag { get; set; }

    /// <summary>Connections opened, echoed and closed in the measured window (connect).</summary>
    public long Completed { get; set; }

    /// <summary>Failed connection attempts, by stage: dns, tcp, tls, upgrade, echo, close.</summary>
    public SortedDictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>Seconds the idle connections were held.</summary>
    public double Held { get; set; }

    /// <summary>Seconds it took to open the idle connections.</summary>
    public double OpenSeconds { get; set; }

    /// <summary>This process's CPU time over the measured window, as a share of one core.</summary>
    public double ClientCpuPercent { get; set; }

    /// <summary>The run was stopped by its hard limit (the server stopped answering).</summary>
    public bool CutShort { get; set; }

    /// <summary>The first few distinct problems, in the order they happened.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public double MessagesPerSecond => Elapsed > 0 ? Messages / Elapsed : 0;

    /// <summary>Payload echoed back, in 10^6 bytes per second.</summary>
    public double MegabytesPerSecond => MessagesPerSecond * Settings.Size / 1e6;

    public double ConnectionsPerSecond => Elapsed > 0 ? Completed / Elapsed : 0;

    public long FailureCount => Failures.Values.Sum();

    /// <summary>Whether nothing was lost, corrupted, dropped or refused.</summary>
    public bool Ok => Lost == 0 && Corrupted == 0 && Dropped == 0 && FailureCount == 0 && !CutShort;

    public void AddFailure(string stage, string message)
    {
        lock (Failures)
        {
            Failures[stage] = Failures.GetValueOrDefault(stage) + 1;
        }
        AddError(message);
    }

    public void AddError(string message)
    {
        lock (_errors)
        {
            if (_errors.Count < 5 && !_errors.Contains(message))
            {
                _errors.Add(message);
            }
        }
    }
}
