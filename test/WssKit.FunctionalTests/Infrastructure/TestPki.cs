using WssKit.Certificates;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.FunctionalTests.Infrastructure;

/// <summary>
/// A small public-key infrastructure for tests, the shape public CAs use: a root, an intermediate that issues
/// leaves, and PEM files as certbot writes them (fullchain.pem = leaf + intermediate, privkey.pem).
/// </summary>
public sealed class TestPki
{
    private readonly string _directory;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private int _files;

    public TestPki(string directory, string name = "Test")
    {
        _directory = directory;
        var now = DateTimeOffset.UtcNow;
        _root = CreateAuthority($"CN={name} Root CA", null, now.AddDays(-30), now.AddYears(5));
        _intermediate = CreateAuthority($"CN={name} Intermediate CA", _root, now.AddDays(-30), now.AddYears(2));
        RootPath = Path.Combine(directory, $"{name.ToLowerInvariant()}-root.pem");
        File.WriteAllText(RootPath, _root.ExportCertificatePem());
    }

    /// <summary>The intermediate in DER, as CAs publish it at their AIA URLs.</summary>
    public byte[] IntermediateDer => _intermediate.RawData;

    /// <summary>The root certificate (PEM), the one clients trust.</summary>
    public string RootPath { get; }

    /// <summary>A leaf issued by the intermediate: a server certificate, or a client one for mutual TLS.</summary>
    public Leaf Issue(string[] names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool rsa = false, bool client = false, string? caIssuersUrl = null)
    {
        var now = DateTimeOffset.UtcNow;
        AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsaKey
            ? new CertificateRequest($"CN={names[0]}", rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={names[0]}", (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectNames.Extension(names));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        // Server authentication, or client authentication for mutual TLS.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(client ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_intermediate, true, false));
        if (caIssuersUrl is not null)
        {
            // Where clients that download missing intermediates (browsers) fetch the issuer, as public CAs publish it.
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [caIssuersUrl]));
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        // The generator form lets an ECDSA intermediate sign an RSA leaf.
        var certificate = request.Create(_intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(_intermediate.GetECDsaPrivateKey()!),
            notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(30), serial);
        var withKey = key is RSA r ? certificate.CopyWithPrivateKey(r) : certificate.CopyWithPrivateKey((ECDsa)key);
        return new Leaf(this, withKey, key);
    }

    public sealed class Leaf(TestPki pki, X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        public X509Certificate2 Certificate => certificate;

        /// <summary>The serial number in hex, as openssl prints it.</summary>
        public string Serial => certificate.SerialNumber;

        /// <summary>Writes fullchain.pem (leaf + intermediate, or the leaf alone) and privkey.pem; returns their paths.</summary>
        public (string Cert, string Key) WriteFiles(bool withIntermediate = true, string? directory = null)
        {
            var folder = directory ?? Path.Combine(pki._directory, $"leaf{Interlocked.Increment(ref pki._files)}");
            Directory.CreateDirectory(folder);
            var cert = Path.Combine(folder, "fullchain.pem");
            var keyPath = Path.Combine(folder, "privkey.pem");
            WriteTo(cert, keyPath, withIntermediate);
            return (cert, keyPath);
        }

        /// <summary>Writes the chain and key to the given paths (replacing them, as a renewal does).</summary>
        public void WriteTo(string certPath, string keyPath, bool withIntermediate = true)
        {
            File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n" + (withIntermediate ? pki._intermediate.ExportCertificatePem() + "\n" : ""));
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        }
    }

    private static X509Certificate2 CreateAuthority(string subject, X509Certificate2? issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signed = request.Create(issuer, notBefore, notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }
}
