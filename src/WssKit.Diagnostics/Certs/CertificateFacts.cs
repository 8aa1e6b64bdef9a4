using System.Security.Cryptography.X509Certificates;

namespace WssKit.Diagnostics.Certs;

/// <summary>What wss certs reports of one certificate; a copy, so nothing in a report needs disposing.</summary>
/// <param name="Subject">The subject's distinguished name.</param>
/// <param name="Issuer">The issuer's distinguished name.</param>
/// <param name="IssuerName">The issuer's common name (or its distinguished name when it has none): short, for tables.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="SerialNumber">Serial number, hex.</param>
/// <param name="Sha256">SHA-256 fingerprint, hex.</param>
public sealed record CertificateFacts(string Subject, string Issuer, string IssuerName, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    string SerialNumber, string Sha256)
{
    internal static CertificateFacts Of(X509Certificate2 certificate)
    {
        var issuerName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
        return new(certificate.Subject, certificate.Issuer, string.IsNullOrEmpty(issuerName) ? certificate.Issuer : issuerName,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            certificate.SerialNumber, certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
    }
}
