using System.Security.Cryptography.X509Certificates;

namespace WssKit.Diagnostics.Certs;

/// <summary>The chain a strict client builds: from the certificates served, to the system's roots or the extra roots, with no downloads.</summary>
/// <param name="Elements">Leaf first, then up to the root (or as far as it got).</param>
/// <param name="Trusted">Whether it ends at a trusted root; dates are left out, they are judged on their own.</param>
/// <param name="Untrusted">Why not, when not: a phrase naming the missing or unknown certificate.</param>
internal sealed record BestChain(IReadOnlyList<CertificateFacts> Elements, bool Trusted, string? Untrusted)
{
    private const X509ChainStatusFlags DateFlags = X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested;

    public static BestChain Build(X509Certificate2 leaf, X509Certificate2Collection served, X509Certificate2Collection extraRoots)
    {
        using var system = NewChain(served);
        var trusted = IsTrusted(system, leaf);
        if (trusted)
        {
            return new BestChain(ElementsOf(system), true, null);
        }
        if (extraRoots.Count > 0)
        {
            using var custom = NewChain(served);
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
            if (IsTrusted(custom, leaf))
            {
                return new BestChain(ElementsOf(custom), true, null);
            }
        }
        return new BestChain(ElementsOf(system), false, Reason(system, leaf));
    }

    private static X509Chain NewChain(X509Certificate2Collection served)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ExtraStore.AddRange(served);
        return chain;
    }

    private static bool IsTrusted(X509Chain chain, X509Certificate2 leaf) => chain.Build(leaf) || (Flags(chain) & ~DateFlags) == X509ChainStatusFlags.NoError;

    private static X509ChainStatusFlags Flags(X509Chain chain)
        => chain.ChainElements.SelectMany(element => element.ChainElementStatus).Select(status => status.Status)
            .Concat(chain.ChainStatus.Select(status => status.Status))
            .Aggregate(X509ChainStatusFlags.NoError, (all, one) => all | one);

    private static List<CertificateFacts> ElementsOf(X509Chain chain) => [.. chain.ChainElements.Select(element => CertificateFacts.Of(element.Certificate))];

    private static string Reason(X509Chain chain, X509Certificate2 leaf)
    {
        var flags = Flags(chain) & ~DateFlags;
        var last = chain.ChainElements[^1].Certificate;
        var selfIssued = last.SubjectName.RawData.AsSpan().SequenceEqual(last.IssuerName.RawData);
        if (chain.ChainElements.Count == 1 && selfIssued)
        {
            return "the certificate is self-signed";
        }
        if (!selfIssued)
        {
            return chain.ChainElements.Count == 1
                ? $"its issuer {leaf.Issuer} is neither served nor known here (serve the full chain; for a private CA give its root with --ca)"
                : $"the chain leads to {last.Issuer}, which is not a trusted root here (for a private CA give its root with --ca)";
        }
        return flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) || flags.HasFlag(X509ChainStatusFlags.PartialChain)
            ? $"the chain ends at {last.Subject}, a root not trusted here (for a private CA give it with --ca)"
            : $"the chain is not valid ({flags})";
    }
}
