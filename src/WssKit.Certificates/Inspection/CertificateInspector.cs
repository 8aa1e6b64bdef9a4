using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates.Files;

namespace WssKit.Certificates.Inspection;

/// <summary>
/// Checks a certificate before it is served: validity dates, the host names it must cover, the chain sent with it,
/// key strength and signature. Problem codes are the finding ids of <c>wss check</c>.
/// </summary>
public static class CertificateInspector
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>Inspects <paramref name="certificate"/> as served at <paramref name="now"/>.</summary>
    /// <param name="certificate">The leaf and the chain sent with it.</param>
    /// <param name="requiredNames">Host names or addresses clients will use; each must be covered.</param>
    /// <param name="now">The time to judge validity at.</param>
    /// <param name="knownIssuers">Issuers known to clients beside the system store (a development CA).</param>
    public static IReadOnlyList<CertificateProblem> Inspect(ServerCertificate certificate, IEnumerable<string> requiredNames,
        DateTimeOffset now, X509Certificate2Collection? knownIssuers = null)
    {
        var problems = new List<CertificateProblem>();
        var leaf = certificate.Leaf;
        var subject = Describe(certificate);
        if (now < certificate.NotBefore)
        {
            problems.Add(new("cert-not-yet-valid", ProblemSeverity.Error,
                $"{subject} is not valid until {Date(certificate.NotBefore)} (in {Span(certificate.NotBefore - now)}): check this machine's clock, or use the certificate once it is valid"));
        }
        else if (now >= certificate.NotAfter)
        {
            problems.Add(new("cert-expired", ProblemSeverity.Error,
                $"{subject} expired on {Date(certificate.NotAfter)} ({Span(now - certificate.NotAfter)} ago): renew it (for example `certbot renew`) and the server picks up the new files"));
        }
        else if (Renewal.IsDue(certificate, now))
        {
            problems.Add(new("cert-expiring-soon", ProblemSeverity.Warning,
                $"{subject} expires on {Date(certificate.NotAfter)} (in {Span(certificate.NotAfter - now)}, less than a third of its lifetime left): renew it now"));
        }
        foreach (var name in requiredNames.Where(name => !SubjectNames.Covers(leaf, name)))
        {
            var covered = certificate.Names.Count == 0 ? "no names at all (no subject alternative names)" : string.Join(", ", certificate.Names);
            problems.Add(new("cert-hostname-mismatch", ProblemSeverity.Error,
                $"{subject} does not cover {name} (it covers {covered}): get a certificate that includes {name}, or correct the host names configured for it"));
        }
        if (UsageExcludesServers(leaf))
        {
            problems.Add(new("cert-not-for-server", ProblemSeverity.Error,
                $"{subject} is not issued for TLS servers (its extended key usage lacks serverAuth): request a server certificate"));
        }
        if (WeakKey(leaf) is { } weakKey)
        {
            problems.Add(new("cert-weak-key", ProblemSeverity.Error,
                $"{subject} has a weak key ({weakKey}); clients refuse it: issue a new certificate with RSA 2048+ or ECDSA P-256"));
        }
        if (leaf.SignatureAlgorithm.FriendlyName is { } signature && (signature.Contains("sha1", StringComparison.OrdinalIgnoreCase) || signature.Contains("md5", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add(new("cert-weak-signature", ProblemSeverity.Error,
                $"{subject} is signed with {signature}, which clients refuse: have it reissued with SHA-256"));
        }
        if (ChainOrder.IsSelfIssued(leaf))
        {
            problems.Add(new("cert-self-signed", ProblemSeverity.Info,
                $"{subject} is self-signed: every client must be given this exact certificate to trust"));
        }
        else if (MissingIntermediate(certificate, now, knownIssuers))
        {
            problems.Add(new("cert-chain-incomplete", ProblemSeverity.Warning,
                $"{subject} is served without the certificate of its issuer ({leaf.Issuer}), which this machine does not know: if that issuer is an intermediate CA (as with every public CA), strict clients (curl, Node, Python, Java) will refuse the chain; serve the full chain (fullchain.pem, not cert.pem)"));
        }
        return problems;
    }

    /// <summary>Whether the leaf's issuer is neither in the served chain nor known to this machine, so clients cannot link it to a root.</summary>
    private static bool MissingIntermediate(ServerCertificate certificate, DateTimeOffset now, X509Certificate2Collection? knownIssuers)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ExtraStore.AddRange(certificate.Chain);
        if (knownIssuers is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(knownIssuers);
        }
        chain.Build(certificate.Leaf);
        // One element means not even the issuer was found; a longer chain that stops short of a root is normal
        // (roots are not served), and whether clients trust that root is another question.
        return chain.ChainElements.Count == 1;
    }

    private static bool UsageExcludesServers(X509Certificate2 leaf)
        => leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value is ServerAuthOid or "2.5.29.37.0");

    private static string? WeakKey(X509Certificate2 leaf)
    {
        using var rsa = leaf.GetRSAPublicKey();
        if (rsa is not null && rsa.KeySize < 2048)
        {
            return $"RSA {rsa.KeySize} bits";
        }
        using var ec = leaf.GetECDsaPublicKey();
        return ec is not null && ec.KeySize < 256 ? $"ECDSA {ec.KeySize} bits" : null;
    }

    private static string Describe(ServerCertificate certificate)
        => $"the certificate {certificate.Leaf.GetNameInfo(X509NameType.SimpleName, false)} from {certificate.Source}";

    private static string Date(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration for people, to the nearest unit: "7 days" (for 6 days 23 hours), "5 hours", "12 minutes".</summary>
    public static string Span(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => $"{Math.Round(span.TotalDays):0} days",
        { TotalHours: >= 2 } => $"{Math.Round(span.TotalHours):0} hours",
        { TotalMinutes: >= 2 } => $"{Math.Round(span.TotalMinutes):0} minutes",
        _ => $"{Math.Max(0, (int)span.TotalSeconds)} seconds",
    };
}
