namespace WssKit.Diagnostics.Certs;

/// <summary>The outcome of one wss certs run: a result per target, in the order the targets were given.</summary>
/// <param name="CheckedAt">When the run started; days left are counted from each probe's own time.</param>
/// <param name="Took">The whole run.</param>
/// <param name="Options">The thresholds and limits used.</param>
/// <param name="Results">One per target.</param>
public sealed record CertsReport(DateTimeOffset CheckedAt, TimeSpan Took, CertsOptions Options, IReadOnlyList<CertResult> Results)
{
    /// <summary>The worst status of all targets; ok for none.</summary>
    public CertStatus Status => Results.Count == 0 ? CertStatus.Ok : Results.Max(result => result.Status);

    /// <summary>How many targets have <paramref name="status"/>.</summary>
    public int Count(CertStatus status) => Results.Count(result => result.Status == status);
}
