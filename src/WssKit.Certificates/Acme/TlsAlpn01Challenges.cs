using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace WssKit.Certificates.Acme;

/// <summary>
/// The TLS-ALPN-01 answers being offered (RFC 8737): for a domain being validated, a self-signed certificate with the
/// key authorization's SHA-256 in a critical acmeIdentifier extension, served only to handshakes that ask for the
/// ALPN protocol acme-tls/1. Port 443 alone proves the domain; port 80 is not needed.
/// </summary>
public sealed class TlsAlpn01Challenges
{
    /// <summary>The ALPN protocol of validation handshakes.</summary>
    public const string Protocol = "acme-tls/1";

    private const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    private readonly ConcurrentDictionary<string, X509Certificate2> _answers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether any validation is under way (only then are ClientHellos examined for acme-tls/1).</summary>
    public bool Any => !_answers.IsEmpty;

    public void Publish(string domain, string keyAuthorization) => _answers[domain] = Certificate(domain, keyAuthorization);

    public void Withdraw(string domain)
    {
        if (_answers.TryRemove(domain, out var certificate))
        {
            certificate.Dispose();
        }
    }

    /// <summary>The validation certificate for a server name, when one is published.</summary>
    public X509Certificate2? For(string? serverName) => serverName is not null && _answers.TryGetValue(serverName, out var certificate) ? certificate : null;

    internal static X509Certificate2 Certificate(string domain, string keyAuthorization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domain}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectNames.Extension([domain]));
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization)));
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, writer.Encode(), critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        // Through PKCS#12 so that the key works with SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
