using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates.Files;
using WssKit.Certificates.Reload;

namespace WssKit.Certificates.Acme;

/// <summary>
/// The certificate an ACME CA issued for the domains, as <see cref="AcmeRenewer"/> keeps it in the data directory
/// (fullchain.pem and privkey.pem, mode 0600). Until the first one arrives, a self-signed placeholder for the domains
/// is served; the reloader notices the files when they are written and swaps them in.
/// </summary>
public sealed class AcmeSource(AcmeStore store) : ICertificateSource
{
    public AcmeStore Store => store;

    public string Description => $"ACME ({store.CertificatePath})";

    public IReadOnlyList<string> WatchedFiles => [store.CertificatePath, store.KeyPath];

    // The renewer renews by writing new files, which the reloader watches.
    public bool RenewsItself => false;

    public ServerCertificate Load() => File.Exists(store.CertificatePath) && File.Exists(store.KeyPath)
        ? CertificateFiles.LoadPem(store.CertificatePath, store.KeyPath)
        : Placeholder(store.Domains);

    /// <summary>Whether what is served is the placeholder, not a certificate from the CA.</summary>
    public static bool IsPlaceholder(ServerCertificate certificate) => certificate.Leaf.Subject.Contains("awaiting ACME", StringComparison.Ordinal);

    private static ServerCertificate Placeholder(IReadOnlyList<string> domains)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domains[0]}, O=WssKit placeholder awaiting ACME", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectNames.Extension(domains));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return new ServerCertificate(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null), [],
            "ACME placeholder (until the CA issues the certificate; progress in the log)");
    }
}
