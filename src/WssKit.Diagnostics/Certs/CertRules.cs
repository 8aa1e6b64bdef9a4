using System.Globalization;

namespace WssKit.Diagnostics.Certs;

/// <summary>What a fetched certificate shows, reduced to what the rules judge.</summary>
internal sealed record CertEvidence(string Host, CertificateFacts Leaf, IReadOnlyList<string> Names, bool NameMatches,
    CertificateFacts Earliest, CertificateFacts ChainEarliest, bool Trusted, string? Untrusted);

/// <summary>The status rules of wss certs (docs/certs.md): dates, the warning window, names and trust.</summary>
internal static class CertRules
{
    public static List<CertProblem> Judge(CertEvidence evidence, DateTimeOffset now, ExpiryThreshold threshold)
    {
        var problems = new List<CertProblem>();
        var leaf = evidence.Leaf;
        var lifetime = leaf.NotAfter - leaf.NotBefore;
        if (now < leaf.NotBefore)
        {
            problems.Add(new("cert-not-yet-valid", CertStatus.Error, $"not valid until {Date(leaf.NotBefore)} (check the clocks)"));
        }
        else if (now >= leaf.NotAfter)
        {
            problems.Add(new("cert-expired", CertStatus.Error, $"expired on {Date(leaf.NotAfter)}, {Days(now - leaf.NotAfter)} ago"));
        }
        else if (threshold.IsDue(lifetime, leaf.NotAfter - now))
        {
            problems.Add(new("cert-expiring-soon", CertStatus.Warning,
                $"expires in {Days(leaf.NotAfter - now)}, {Percent((leaf.NotAfter - now) / lifetime)} of its lifetime left: renew it"));
        }
        var chain = evidence.ChainEarliest;
        if (chain.NotAfter < leaf.NotAfter && now < leaf.NotAfter)
        {
            // The leaf outlives a certificate above it: clients fail when that one expires, whatever the leaf says.
            if (now >= chain.NotAfter)
            {
                problems.Add(new("chain-expired", CertStatus.Error, $"{Name(chain)} in the chain expired on {Date(chain.NotAfter)}"));
            }
            else if (threshold.IsDue(lifetime, chain.NotAfter - now))
            {
                problems.Add(new("chain-expiring-soon", CertStatus.Warning,
                    $"{Name(chain)} in the chain expires in {Days(chain.NotAfter - now)}, before the certificate"));
            }
        }
        var earliest = evidence.Earliest;
        if (now >= earliest.NotAfter && now < chain.NotAfter)
        {
            problems.Add(new("served-expired", CertStatus.Warning,
                $"the server also sends {Name(earliest)}, expired on {Date(earliest.NotAfter)}: remove it from the chain file"));
        }
        if (!evidence.NameMatches)
        {
            var names = evidence.Names.Count == 0 ? "no names" : string.Join(", ", evidence.Names);
            problems.Add(new("cert-hostname-mismatch", CertStatus.Error, $"does not cover {evidence.Host} (covers {names})"));
        }
        if (!evidence.Trusted)
        {
            problems.Add(new("chain-untrusted", CertStatus.Error, $"untrusted: {evidence.Untrusted ?? "no trusted root"}"));
        }
        return [.. problems.OrderByDescending(problem => problem.Severity)];
    }

    /// <summary>The fraction of the lifetime left, between 0 and 1.</summary>
    public static double LifetimeLeft(CertificateFacts leaf, DateTimeOffset now)
    {
        var lifetime = leaf.NotAfter - leaf.NotBefore;
        return lifetime <= TimeSpan.Zero ? 0 : Math.Clamp((leaf.NotAfter - now) / lifetime, 0, 1);
    }

    private static string Name(CertificateFacts certificate)
    {
        var cn = certificate.Subject.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(part => part.StartsWith("CN=", StringComparison.Ordinal));
        return cn ?? certificate.Subject;
    }

    private static string Days(TimeSpan span) => span.TotalDays >= 2
        ? $"{Math.Floor(span.TotalDays).ToString(CultureInfo.InvariantCulture)} days"
        : $"{Math.Max(1, Math.Floor(span.TotalHours)).ToString(CultureInfo.InvariantCulture)} hours";

    private static string Percent(double fraction) => Math.Floor(fraction * 100).ToString(CultureInfo.InvariantCulture) + "%";

    private static string Date(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
