using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;

namespace WssKit.Diagnostics.Probes;

/// <summary>Findings about the certificate as served: dates, names, strength, and whether a strict client can trust the chain.</summary>
internal static class CertificateRules
{
    public static void Judge(CheckContext check, TlsHandshake tls, StageRecorder stage)
    {
        var leaf = tls.Leaf;
        var now = DateTimeOffset.UtcNow;
        var name = leaf.GetNameInfo(X509NameType.SimpleName, false);
        var names = SubjectNames.Of(leaf);
        stage.Add("certificate", $"{leaf.Subject}; names {string.Join(", ", names)}; issued by {leaf.Issuer}");
        stage.Add("valid", $"{Date(leaf.NotBefore)} to {Date(leaf.NotAfter)}");
        stage.Add("chain served", tls.Served.Count == 0 ? "the leaf alone" : "leaf + " + string.Join(" + ", tls.Served.Select(c => c.Subject)));
        stage.Add("key", KeyDescription(leaf));
        stage.Add("signature", leaf.SignatureAlgorithm.FriendlyName ?? leaf.SignatureAlgorithm.Value ?? "unknown");
        var shown = $"the certificate served for {check.Host}: {leaf.Subject}, issued by {leaf.Issuer}, valid {Date(leaf.NotBefore)} to {Date(leaf.NotAfter)}";
        const string renewal = "renew automatically (ACME: certbot, Caddy, or wss serve with its own renewal) and track expiry with `wss certs --prometheus`";

        if (now.UtcDateTime > leaf.NotAfter.ToUniversalTime())
        {
            check.Find("cert-expired", $"the certificate {name} expired on {Date(leaf.NotAfter)}: every client refuses the connection.",
                shown, "renew the certificate and reload the server (certbot renew, then reload; wss serve picks up new files by itself)", renewal);
        }
        else if (now.UtcDateTime < leaf.NotBefore.ToUniversalTime())
        {
            check.Find("cert-not-yet-valid", $"the certificate {name} is valid only from {Date(leaf.NotBefore)}: either it was installed too early or a clock is wrong.",
                shown + $"; this machine's clock says {Date(now.UtcDateTime)}", "check the clocks of the server and of this machine (timedatectl; NTP); serve the previous certificate until the new one is valid",
                "keep clocks synchronised with NTP everywhere; issue certificates with a start time a little in the past");
        }
        else
        {
            var lifetime = leaf.NotAfter - leaf.NotBefore;
            var left = leaf.NotAfter.ToUniversalTime() - now.UtcDateTime;
            stage.Add("time left", $"{left.TotalDays:0.0} days ({left / lifetime:P0} of its lifetime)");
            if (left < lifetime / 3)
            {
                check.Find("cert-expiring-soon", $"the certificate {name} expires on {Date(leaf.NotAfter)}, in {left.TotalDays:0.#} days: less than a third of its lifetime is left, when renewal should already have happened.",
                    shown, "renew it now, and find out why automatic renewal did not", renewal);
            }
        }
        if (!SubjectNames.Covers(leaf, check.Host))
        {
            check.Find("cert-hostname-mismatch", $"the certificate is for {(names.Count == 0 ? leaf.Subject : string.Join(", ", names))}, not {check.Host}: clients refuse it.",
                shown + (tls.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) ? "; the TLS library reports a name mismatch" : ""),
                $"serve a certificate that lists {check.Host} in its subject alternative names (with SNI, check the server picks the right one for this name)",
                "list every host name clients use when requesting certificates; wss check each of them after changes");
        }
        if (KeyIsWeak(leaf))
        {
            check.Find("cert-weak-key", $"the certificate's key ({KeyDescription(leaf)}) is too small; clients refuse it or will soon.",
                shown, "issue a new certificate with an ECDSA P-256 or RSA 2048-bit (or larger) key", "let your ACME client or CA defaults choose the key; audit with wss certs");
        }
        if (leaf.SignatureAlgorithm.FriendlyName is { } signature && (signature.Contains("sha1", StringComparison.OrdinalIgnoreCase) || signature.Contains("md5", StringComparison.OrdinalIgnoreCase)))
        {
            check.Find("cert-weak-signature", $"the certificate is signed with {signature}, which clients no longer accept.",
                shown, "have the certificate reissued with a SHA-256 (or stronger) signature", "use a current CA; never sign with SHA-1 or MD5");
        }
        JudgeTrust(check, tls, shown, stage);
    }

    private static void JudgeTrust(CheckContext check, TlsHandshake tls, string shown, StageRecorder stage)
    {
        var leaf = tls.Leaf;
        using var strict = Chain(tls, roots: null, downloads: false);
        var trusted = strict.Build(leaf);
        var by = "this machine's trust store";
        if (!trusted && check.Options.ExtraRoots.Count > 0)
        {
            using var custom = Chain(tls, check.Options.ExtraRoots, downloads: false);
            trusted = custom.Build(leaf);
            by = "the CA file given";
        }
        var statuses = strict.ChainElements.SelectMany(e => e.ChainElementStatus).Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (a, b) => a | b);
        // Dates are judged on their own above; here only whether the chain leads to a trusted root.
        statuses &= ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested);
        if (trusted || statuses == X509ChainStatusFlags.NoError)
        {
            stage.Add("trusted", $"yes, by {by}, with the chain as served (no downloads)");
            return;
        }
        var last = strict.ChainElements[^1].Certificate;
        stage.Add("trusted", $"no: {statuses}");
        var selfSigned = leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData) && strict.ChainElements.Count == 1;
        const string trustFix = "use a certificate from a public CA (Let's Encrypt through ACME), or install this root on every client";
        const string trustPrevention = "test the endpoint the way clients see it, with wss check in CI; keep private CAs for internal clients only";
        if (selfSigned)
        {
            check.Find("cert-self-signed", $"the certificate {leaf.GetNameInfo(X509NameType.SimpleName, false)} is self-signed: no client trusts it unless it was given this exact certificate.",
                shown + "; it is its own issuer", trustFix + " (for a test bench: wss check --ca with the certificate)", trustPrevention);
        }
        else if (statuses.HasFlag(X509ChainStatusFlags.PartialChain) && strict.ChainElements.Count == 1 && IssuerIsIntermediate(check, leaf))
        {
            var fetched = CompletesByDownload(check, tls);
            stage.Add("with downloads", fetched is null
                ? "not trusted either: the missing intermediate could not be fetched"
                : $"trusted: the missing intermediate was fetched from {fetched}, as browsers do");
            shown += fetched is null ? "" : $"; a client that downloads missing intermediates (browsers) completes the chain from {fetched}, strict clients do not";
            check.Find("cert-chain-incomplete", $"the server sends its certificate without the intermediate that issued it ({leaf.Issuer}): browsers may fetch it themselves, but strict clients (curl, Node, Python, Java, Go, mobile apps) refuse the chain.",
                shown + $"; served: {(tls.Served.Count == 0 ? "the leaf alone" : $"leaf + {tls.Served.Count} more, none of them its issuer")}; this machine does not know {leaf.Issuer} either (if it is a private root, give it with --ca)",
                "serve the full chain: fullchain.pem, not cert.pem (nginx ssl_certificate, wss serve --cert, Kestrel PEM with the chain)",
                "point servers at the full chain file your ACME client writes; wss check after each renewal");
        }
        else
        {
            var root = last.SubjectName.RawData.AsSpan().SequenceEqual(last.IssuerName.RawData) ? last.Subject : last.Issuer;
            check.Find("cert-untrusted-root", $"the chain leads to {root}, a root this machine does not trust: clients refuse the connection unless they were told to trust that root.",
                shown + $"; chain built: {string.Join(" -> ", strict.ChainElements.Select(e => e.Certificate.Subject))}; status {statuses}",
                trustFix + $" (to check against a private CA: wss check --ca ROOT.pem)", trustPrevention);
        }
    }

    private static X509Chain Chain(TlsHandshake tls, X509Certificate2Collection? roots, bool downloads)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = !downloads;
        chain.ChainPolicy.UrlRetrievalTimeout = TimeSpan.FromSeconds(2);
        chain.ChainPolicy.ExtraStore.AddRange(tls.Served);
        if (roots is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        }
        return chain;
    }

    /// <summary>
    /// Verification as browsers do it, against the system store (and --ca), fetching a missing intermediate from the
    /// URL the certificate names (Authority Information Access); the URL it came from when that completes the chain.
    /// </summary>
    private static string? CompletesByDownload(CheckContext check, TlsHandshake tls)
    {
        using var system = Chain(tls, roots: null, downloads: true);
        var trusted = system.Build(tls.Leaf);
        if (!trusted && check.Options.ExtraRoots.Count > 0)
        {
            using var custom = Chain(tls, check.Options.ExtraRoots, downloads: true);
            trusted = custom.Build(tls.Leaf);
        }
        return trusted ? CaIssuersUrl(tls.Leaf) ?? "its AIA URL" : null;
    }

    private static string? CaIssuersUrl(X509Certificate2 leaf)
        => leaf.Extensions.OfType<X509AuthorityInformationAccessExtension>().SelectMany(aia => aia.EnumerateCAIssuersUris()).FirstOrDefault();

    /// <summary>
    /// Whether the leaf's missing issuer is an intermediate rather than a private root: public CAs name where to fetch
    /// their intermediate (Authority Information Access), and an issuer that is not among the roots given with --ca is
    /// not a root the user meant.
    /// </summary>
    private static bool IssuerIsIntermediate(CheckContext check, X509Certificate2 leaf)
        => leaf.Extensions.Any(extension => extension.Oid?.Value == "1.3.6.1.5.5.7.1.1")
            || (check.Options.ExtraRoots.Count > 0 && !check.Options.ExtraRoots.Any(root => root.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData)));

    private static bool KeyIsWeak(X509Certificate2 leaf)
    {
        using var rsa = leaf.GetRSAPublicKey();
        using var ec = leaf.GetECDsaPublicKey();
        return (rsa is not null && rsa.KeySize < 2048) || (ec is not null && ec.KeySize < 256);
    }

    private static string KeyDescription(X509Certificate2 leaf)
    {
        using var rsa = leaf.GetRSAPublicKey();
        if (rsa is not null)
        {
            return $"RSA {rsa.KeySize} bits";
        }
        using var ec = leaf.GetECDsaPublicKey();
        return ec is not null ? $"ECDSA {ec.KeySize} bits" : leaf.PublicKey.Oid.FriendlyName ?? "unknown";
    }

    private static string Date(DateTime when) => when.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
