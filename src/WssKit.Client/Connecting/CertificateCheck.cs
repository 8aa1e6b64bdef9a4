using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;

namespace WssKit.Client.Connecting;

/// <summary>Why a server certificate is refused, in words: the system's verdict, and extra trusted roots when given.</summary>
internal static class CertificateCheck
{
    public static string? Refusal(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors, string serverName, X509Certificate2Collection? extraRoots)
    {
        if (certificate is null)
        {
            return "the server sent no certificate";
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            var names = string.Join(", ", SubjectNames.Of(certificate));
            return $"the certificate is for {(names.Length == 0 ? certificate.Subject : names)}, not {serverName}";
        }
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0)
        {
            return null;
        }
        var served = chain?.ChainPolicy.ExtraStore ?? [];
        X509Chain? withExtraRoots = null;
        if (extraRoots is not null && BuildsTo(certificate, served, extraRoots, out withExtraRoots))
        {
            return null;
        }
        return Explain(certificate, withExtraRoots ?? chain);
    }

    private static bool BuildsTo(X509Certificate2 certificate, X509Certificate2Collection served, X509Certificate2Collection roots, out X509Chain? chain)
    {
        chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(served);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate);
    }

    private static string Explain(X509Certificate2 certificate, X509Chain? chain)
    {
        var statuses = chain?.ChainElements.SelectMany(element => element.ChainElementStatus.Select(status => (element.Certificate, status.Status))).ToList() ?? [];
        if (statuses.FirstOrDefault(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid)) is { Certificate: { } expired })
        {
            var now = DateTime.Now;
            return expired.NotAfter < now
                ? $"the certificate {Name(expired)} expired on {expired.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}"
                : $"the certificate {Name(expired)} is not valid before {expired.NotBefore.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} (check this machine's clock)";
        }
        var last = chain?.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : certificate;
        if (statuses.Any(s => s.Status.HasFlag(X509ChainStatusFlags.PartialChain)))
        {
            // Without the issuer's certificate there is no telling whether it is a root or an intermediate.
            return $"the certificate {Name(last)} is issued by {last.Issuer}, which the server did not send and this machine does not trust: "
                + "if that is a root, trust it (a CA file, e.g. --ca); if it is an intermediate, the server must send its full chain";
        }
        if (statuses.Any(s => s.Status.HasFlag(X509ChainStatusFlags.UntrustedRoot)))
        {
            return last.Subject == last.Issuer && chain?.ChainElements.Count == 1
                ? $"the certificate {Name(certificate)} is self-signed and not trusted here (trust it with a CA file, e.g. --ca)"
                : $"the certificate is issued by {last.Subject}, a root this machine does not trust (trust it with a CA file, e.g. --ca)";
        }
        var flags = string.Join(", ", statuses.Select(s => s.Status).Distinct());
        return $"the certificate {Name(certificate)} is not trusted ({(flags.Length > 0 ? flags : "chain error")})";
    }

    private static string Name(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, false);
}
