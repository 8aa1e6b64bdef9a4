using WssKit.Certificates;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace WssKit.Tests.TestSupport;

/// <summary>The key of a test certificate.</summary>
public enum KeyKind
{
    EcdsaP256,
    Rsa2048,
    Rsa1024,
}

/// <summary>How a private key is written to PEM.</summary>
public enum KeyFormat
{
    /// <summary>-----BEGIN PRIVATE KEY-----</summary>
    Pkcs8,
    /// <summary>-----BEGIN RSA PRIVATE KEY----- (RSA only)</summary>
    Pkcs1,
    /// <summary>-----BEGIN EC PRIVATE KEY----- (ECDSA only)</summary>
    Sec1,
    /// <summary>-----BEGIN ENCRYPTED PRIVATE KEY-----</summary>
    EncryptedPkcs8,
    /// <summary>OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" PKCS#1 (RSA only), AES-128-CBC.</summary>
    LegacyEncrypted,
}

/// <summary>Test CAs, intermediates and leaves made with CertificateRequest, and their PEM and PFX files. No network.</summary>
internal static class TestCertificates
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A CA certificate with its private key: self-signed (a root), or issued by <paramref name="issuer"/> (an intermediate).</summary>
    public static X509Certificate2 CreateAuthority(string commonName, X509Certificate2? issuer = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=WssKit tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var from = notBefore ?? (issuer is null ? now.AddDays(-365) : now.AddDays(-300));
        var to = notAfter ?? (issuer is null ? now.AddDays(3650) : now.AddDays(3000));
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var signed = request.Create(issuer, from, to, Serial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A server certificate with its private key for <paramref name="names"/> (DNS names or IP addresses, as subject
    /// alternative names): self-signed, or issued by <paramref name="issuer"/>. Valid from a day ago for 90 days unless told.
    /// </summary>
    public static X509Certificate2 CreateLeaf(IReadOnlyList<string> names, X509Certificate2? issuer = null, KeyKind key = KeyKind.EcdsaP256,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, HashAlgorithmName? hash = null, bool serverAuth = true)
    {
        var now = DateTimeOffset.UtcNow;
        var from = notBefore ?? now.AddDays(-1);
        var to = notAfter ?? now.AddDays(89);
        var subject = $"CN={(names.Count > 0 ? names[0] : "no names")}, O=WssKit tests";
        var hashAlgorithm = hash ?? HashAlgorithmName.SHA256;
        return key switch
        {
            KeyKind.EcdsaP256 => Leaf(ECDsa.Create(ECCurve.NamedCurves.nistP256), k => new CertificateRequest(subject, k, hashAlgorithm), (c, k) => c.CopyWithPrivateKey(k)),
            KeyKind.Rsa2048 => Leaf(RSA.Create(2048), k => new CertificateRequest(subject, k, hashAlgorithm, RSASignaturePadding.Pkcs1), (c, k) => c.CopyWithPrivateKey(k)),
            KeyKind.Rsa1024 => Leaf(RSA.Create(1024), k => new CertificateRequest(subject, k, hashAlgorithm, RSASignaturePadding.Pkcs1), (c, k) => c.CopyWithPrivateKey(k)),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };

        X509Certificate2 Leaf<TKey>(TKey privateKey, Func<TKey, CertificateRequest> makeRequest, Func<X509Certificate2, TKey, X509Certificate2> attach)
            where TKey : AsymmetricAlgorithm
        {
            using (privateKey)
            {
                var request = makeRequest(privateKey);
                if (names.Count > 0)
                {
                    request.CertificateExtensions.Add(SubjectNames.Extension(names));
                }
                request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                    [serverAuth ? new Oid(ServerAuthOid) : new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
                if (issuer is null && hashAlgorithm == HashAlgorithmName.SHA1 && privateKey is RSA rsa)
                {
                    // .NET's own RSA generator refuses SHA-1; this one makes a genuine sha1WithRSAEncryption signature.
                    using var sha1Signed = request.Create(request.SubjectName, new Sha1RsaSignatureGenerator(rsa), from, to, Serial());
                    return sha1Signed.CopyWithPrivateKey(rsa);
                }
                if (issuer is null)
                {
                    return request.CreateSelfSigned(from, to);
                }
                request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
                // The test authorities are ECDSA; the generator lets them sign RSA leaves too.
                using var issuerKey = issuer.GetECDsaPrivateKey() ?? throw new ArgumentException("test authorities have ECDSA keys", nameof(issuer));
                using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), from, to, Serial());
                return attach(signed, privateKey);
            }
        }
    }

    /// <summary>The certificates in PEM, one after the other (a chain file when the leaf comes first).</summary>
    public static string CertificatesPem(params X509Certificate2[] certificates)
        => string.Concat(certificates.Select(certificate => certificate.ExportCertificatePem() + "\n"));

    /// <summary>The certificate's private key in PEM, in <paramref name="format"/>.</summary>
    public static string KeyPem(X509Certificate2 certificate, KeyFormat format = KeyFormat.Pkcs8, string? password = null)
    {
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("the certificate has no RSA or ECDSA private key", nameof(certificate));
        using (key)
        {
            return (format, key) switch
            {
                (KeyFormat.Pkcs8, _) => key.ExportPkcs8PrivateKeyPem(),
                (KeyFormat.Pkcs1, RSA rsa) => rsa.ExportRSAPrivateKeyPem(),
                (KeyFormat.Sec1, ECDsa ec) => ec.ExportECPrivateKeyPem(),
                (KeyFormat.EncryptedPkcs8, _) => key.ExportEncryptedPkcs8PrivateKeyPem(password ?? throw new ArgumentNullException(nameof(password)),
                    new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)),
                (KeyFormat.LegacyEncrypted, RSA rsa) => LegacyEncryptedPem(rsa, password ?? throw new ArgumentNullException(nameof(password))),
                _ => throw new ArgumentException($"{format} does not apply to {key.GetType().Name}", nameof(format)),
            };
        }
    }

    /// <summary>Writes <paramref name="leaf"/> (with its key) and <paramref name="chain"/> to a PKCS#12 file.</summary>
    public static void WritePfx(string path, string? password, X509Certificate2 leaf, params X509Certificate2[] chain)
    {
        var collection = new X509Certificate2Collection(leaf);
        foreach (var certificate in chain)
        {
            // Only the leaf carries a key in the file, as a CA delivers it.
            collection.Add(X509CertificateLoader.LoadCertificate(certificate.RawData));
        }
        File.WriteAllBytes(path, collection.Export(X509ContentType.Pkcs12, password)!);
    }

    /// <summary>The SHA-256 fingerprint in the form ServerCertificate.Fingerprint uses.</summary>
    public static string Fingerprint(X509Certificate2 certificate)
        => string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(pair => new string(pair)));

    // What `openssl genrsa -aes128` writes: PKCS#1 DER, AES-128-CBC, key = MD5(password || first 8 bytes of the IV).
    private static string LegacyEncryptedPem(RSA rsa, string password)
    {
        var iv = RandomNumberGenerator.GetBytes(16);
        var key = MD5.HashData([.. Encoding.UTF8.GetBytes(password), .. iv.AsSpan(0, 8)]);
        using var aes = Aes.Create();
        aes.Key = key;
        var encrypted = aes.EncryptCbc(rsa.ExportRSAPrivateKey(), iv, PaddingMode.PKCS7);
        var body = string.Join('\n', Convert.ToBase64String(encrypted).Chunk(64).Select(line => new string(line)));
        return "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
            + $"DEK-Info: AES-128-CBC,{Convert.ToHexString(iv)}\n\n{body}\n-----END RSA PRIVATE KEY-----\n";
    }

    /// <summary>Signs with RSA PKCS#1 v1.5 over SHA-1 (OID 1.2.840.113549.1.1.5), as CAs did before 2016.</summary>
    private sealed class Sha1RsaSignatureGenerator(RSA key) : X509SignatureGenerator
    {
        // AlgorithmIdentifier ::= SEQUENCE { sha1WithRSAEncryption, NULL }
        private static readonly byte[] Sha1WithRsa = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x05, 0x05, 0x00];

        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => Sha1WithRsa;

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
            => key.SignData(data, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);

        protected override PublicKey BuildPublicKey() => CreateForRSA(key, RSASignaturePadding.Pkcs1).PublicKey;
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
