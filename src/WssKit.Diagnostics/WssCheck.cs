using WssKit.Diagnostics.Findings;
using WssKit.Diagnostics.Probes;

namespace WssKit.Diagnostics;

/// <summary>
/// wss check: DNS, TCP, TLS, the upgrade and the data path, each stage recording what it observed, then findings
/// drawn from those observations. Stops at the first stage that cannot go on; bounded by <see cref="CheckOptions.Budget"/>.
/// </summary>
public static class WssCheck
{
    private static readonly string[] StageNames = ["dns", "tcp", "tls", "upgrade", "data"];

    /// <summary>Checks a ws:// or wss:// endpoint; <paramref name="progress"/> hears the name of each stage as it starts.</summary>
    public static async Task<CheckReport> RunAsync(Uri target, CheckOptions? options = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (target.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException($"'{target}' is not a ws:// or wss:// URL", nameof(target));
        }
        options ??= new CheckOptions();
        // The optional probes add their own time to the budget of the standard stages.
        var check = new CheckContext(target, options with { Budget = options.Budget + (options.Idle ?? TimeSpan.Zero) + (options.Throughput ? TimeSpan.FromSeconds(6) : TimeSpan.Zero) }, progress);
        var startedAt = DateTimeOffset.UtcNow;
        if (await DnsProbe.RunAsync(check, cancellationToken)
            && await TcpProbe.RunAsync(check, cancellationToken)
            && await TlsProbe.RunAsync(check, cancellationToken)
            && await UpgradeProbe.RunAsync(check, cancellationToken) is { } client)
        {
            await DataProbe.RunAsync(check, client, cancellationToken);
            if (check.Options.Throughput)
            {
                await ThroughputProbe.RunAsync(check, cancellationToken);
            }
            if (check.Options.Idle is { } idle)
            {
                await IdleProbe.RunAsync(check, idle, cancellationToken);
            }
            if (check.Options.Proxy is { } proxy)
            {
                await ProxyProbe.RunAsync(check, proxy, cancellationToken);
            }
        }
        TimingRules.Judge(check);
        var ran = check.Stages.Select(stage => stage.Name).ToHashSet();
        var stages = check.Stages.Concat(StageNames.Where(name => !ran.Contains(name) && (name != "tls" || check.Secure))
            .Select(name => new StageReport(name, StageOutcome.Skipped, TimeSpan.Zero, [KeyValuePair.Create("skipped", "an earlier stage failed")])));
        if (check.Connects.Count > 0)
        {
            stages = stages.Append(TimingRules.Split(check));
        }
        var findings = check.Findings.OrderByDescending(finding => finding.Severity).ThenBy(finding => finding.Category).ToList();
        return new CheckReport(target, startedAt, check.Elapsed, [.. stages], findings);
    }
}
