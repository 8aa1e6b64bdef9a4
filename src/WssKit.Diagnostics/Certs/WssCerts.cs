namespace WssKit.Diagnostics.Certs;

/// <summary>
/// wss certs: fetches the certificate chain of many TLS endpoints at once and says which need attention: expired or
/// expiring (leaf or chain), not yet valid, wrong name, untrusted, or unreachable.
/// </summary>
public static class WssCerts
{
    /// <summary>
    /// Probes every target, <see cref="CertsOptions.Concurrency"/> at a time; <paramref name="progress"/> hears each
    /// result as it comes (from any thread). Results are in the order of <paramref name="targets"/>.
    /// </summary>
    public static async Task<CertsReport> RunAsync(IReadOnlyList<CertTarget> targets, CertsOptions? options = null,
        IProgress<CertResult>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new CertsOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WarnFraction, nameof(options.WarnFraction));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.WarnFraction, 1, nameof(options.WarnFraction));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Concurrency, nameof(options.Concurrency));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero, nameof(options.Timeout));
        var checkedAt = options.Time.GetUtcNow();
        var started = options.Time.GetTimestamp();
        var results = new CertResult[targets.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                results[index] = await CertProbe.RunAsync(targets[index], options, token);
                progress?.Report(results[index]);
            });
        return new CertsReport(checkedAt, options.Time.GetElapsedTime(started), options, results);
    }
}
