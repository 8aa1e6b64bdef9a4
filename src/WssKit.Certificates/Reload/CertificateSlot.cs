using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates.Inspection;

namespace WssKit.Certificates.Reload;

/// <summary>What happened when a slot was loaded again.</summary>
public enum ReloadStatus
{
    /// <summary>The source yields the certificate already served.</summary>
    Unchanged,
    /// <summary>A new certificate is served from now on.</summary>
    Replaced,
    /// <summary>The new certificate could not be loaded or is not fit to serve; the previous one stays in service.</summary>
    Failed,
}

/// <summary>The outcome of loading a slot again.</summary>
/// <param name="Slot">The slot's name.</param>
/// <param name="Status">What happened.</param>
/// <param name="Current">The certificate served after the reload.</param>
/// <param name="Problems">Problems of the certificate that was loaded (the new one, even when it was refused).</param>
/// <param name="Error">Why the new certificate was refused, when <see cref="Status"/> is <see cref="ReloadStatus.Failed"/>.</param>
public sealed record ReloadOutcome(string Slot, ReloadStatus Status, ServerCertificate Current,
    IReadOnlyList<CertificateProblem> Problems, string? Error);

/// <summary>
/// One served certificate that can be replaced while the server runs: a new certificate is only swapped in when it
/// loads and passes inspection, so a broken renewal never takes the working certificate out of service.
/// </summary>
public sealed class CertificateSlot
{
    private readonly IReadOnlyList<string> _requiredNames;
    private readonly TimeProvider _time;
    private readonly X509Certificate2Collection? _knownIssuers;
    private readonly Lock _gate = new();
    private volatile ServerCertificate? _current;

    /// <summary>Creates an empty slot; <see cref="LoadInitial"/> fills it.</summary>
    /// <param name="name">The slot's name in logs and metrics: the site's first host name, or "default".</param>
    /// <param name="source">Where the certificate comes from.</param>
    /// <param name="requiredNames">Names the certificate must cover.</param>
    /// <param name="time">The clock used to judge validity.</param>
    /// <param name="knownIssuers">Issuers clients know besides the system store (a development CA).</param>
    public CertificateSlot(string name, ICertificateSource source, IReadOnlyList<string> requiredNames, TimeProvider time,
        X509Certificate2Collection? knownIssuers = null)
    {
        Name = name;
        Source = source;
        _requiredNames = requiredNames;
        _time = time;
        _knownIssuers = knownIssuers;
    }

    /// <summary>The slot's name in logs and metrics.</summary>
    public string Name { get; }

    /// <summary>Where the certificate comes from.</summary>
    public ICertificateSource Source { get; }

    /// <summary>The host names this slot's certificate must cover.</summary>
    public IReadOnlyList<string> RequiredNames => _requiredNames;

    /// <summary>The certificate in service.</summary>
    public ServerCertificate Current => _current ?? throw new InvalidOperationException($"the certificate slot {Name} has not been loaded");

    /// <summary>Raised after a new certificate was swapped in.</summary>
    public event Action<CertificateSlot>? Replaced;

    /// <summary>Loads the first certificate; errors stop the start.</summary>
    /// <returns>The problems found that are not errors (warnings and notes), for the start-up report.</returns>
    /// <exception cref="CertificateException">The certificate cannot be loaded or has an error.</exception>
    public IReadOnlyList<CertificateProblem> LoadInitial()
    {
        var certificate = Source.Load();
        var problems = CertificateInspector.Inspect(certificate, _requiredNames, _time.GetUtcNow(), _knownIssuers);
        if (problems.FirstOrDefault(problem => problem.Severity == ProblemSeverity.Error) is { } error)
        {
            throw new CertificateException(error.Message);
        }
        Swap(certificate);
        return problems;
    }

    /// <summary>Loads the source again and swaps the certificate in when it is new and fit to serve.</summary>
    public ReloadOutcome Reload()
    {
        lock (_gate)
        {
            var current = Current;
            ServerCertificate loaded;
            try
            {
                loaded = Source.Load();
            }
            catch (CertificateException e)
            {
                return new(Name, ReloadStatus.Failed, current, [], e.Message);
            }
            if (loaded.Fingerprint == current.Fingerprint)
            {
                return new(Name, ReloadStatus.Unchanged, current, [], null);
            }
            var problems = CertificateInspector.Inspect(loaded, _requiredNames, _time.GetUtcNow(), _knownIssuers);
            if (problems.FirstOrDefault(problem => problem.Severity == ProblemSeverity.Error) is { } error)
            {
                return new(Name, ReloadStatus.Failed, current, problems, error.Message);
            }
            Swap(loaded);
            return new(Name, ReloadStatus.Replaced, loaded, problems, null);
        }
    }

    /// <summary>Whether the served certificate is due for renewal and this slot's source can renew it.</summary>
    public bool RenewalDue => Source.RenewsItself && Renewal.IsDue(Current, _time.GetUtcNow());

    private void Swap(ServerCertificate certificate)
    {
        _current = certificate;
        Replaced?.Invoke(this);
    }
}
