using System.Security.Cryptography;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.Files;

/// <summary>A private key read from PEM text, RSA or ECDSA, plain or encrypted PKCS#8.</summary>
internal sealed class PemKey
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private readonly AsymmetricAlgorithm _key;

    private PemKey(AsymmetricAlgorithm key) => _key = key;

    public static PemKey Read(string text, string path, string? password)
    {
        var (label, algorithm, legacyEncrypted) = FindKeyBlock(text, path);
        if (legacyEncrypted)
        {
            throw new CertificateException(
                $"the key {path} uses OpenSSL's legacy PEM encryption, which is not supported: convert it with `openssl pkcs8 -topk8 -in {path} -out key.pk8.pem` and use that file");
        }
        if (label == "ENCRYPTED PRIVATE KEY")
        {
            // The algorithm is inside the encrypted part: try each kind; when none decrypts, the password is wrong.
            if (password is null)
            {
                throw new CertificateException(
                    $"the key {path} is encrypted: give its password with --key-password-file FILE or --key-password-env VARIABLE");
            }
            return TryImport(RSA.Create(), key => key.ImportFromEncryptedPem(text, password))
                ?? TryImport(ECDsa.Create(), key => key.ImportFromEncryptedPem(text, password))
                ?? throw new CertificateException($"cannot decrypt the key {path}: wrong password (check the password file or variable)");
        }
        AsymmetricAlgorithm key = algorithm switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => throw new CertificateException($"the key {path} is of type {algorithm}; only RSA and ECDSA keys are supported for TLS here"),
        };
        try
        {
            key.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new CertificateException($"the key {path} is malformed ({e.Message.TrimEnd('.')}): get a fresh copy of the key");
        }
        return new PemKey(key);
    }

    private static PemKey? TryImport(AsymmetricAlgorithm key, Action<AsymmetricAlgorithm> import)
    {
        try
        {
            import(key);
            return new PemKey(key);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }

    /// <summary>Whether this key is the private half of the certificate's public key.</summary>
    public bool Matches(X509Certificate2 certificate) => _key switch
    {
        RSA rsa when certificate.GetRSAPublicKey() is { } publicKey
            => publicKey.ExportParameters(false).Modulus.AsSpan().SequenceEqual(rsa.ExportParameters(false).Modulus),
        ECDsa ec when certificate.GetECDsaPublicKey() is { } publicKey
            => SamePoint(publicKey.ExportParameters(false), ec.ExportParameters(false)),
        _ => false,
    };

    /// <summary>The certificate with this key attached.</summary>
    public X509Certificate2 Attach(X509Certificate2 certificate) => _key switch
    {
        RSA rsa => certificate.CopyWithPrivateKey(rsa),
        ECDsa ec => certificate.CopyWithPrivateKey(ec),
        _ => throw new InvalidOperationException("unreachable: only RSA and ECDSA keys are read"),
    };

    private static bool SamePoint(ECParameters left, ECParameters right)
        => left.Q.X.AsSpan().SequenceEqual(right.Q.X) && left.Q.Y.AsSpan().SequenceEqual(right.Q.Y);

    // PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm SEQUENCE { algorithm OID, ... }, ... }
    private static string Pkcs8Algorithm(byte[] der, string path)
    {
        try
        {
            var info = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            info.ReadInteger();
            return info.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            throw new CertificateException($"the key {path} is not a valid PKCS#8 private key: get a fresh copy of the key");
        }
    }

    private static (string Label, string? Algorithm, bool LegacyEncrypted) FindKeyBlock(string text, string path)
    {
        var rest = text.AsSpan();
        var offset = 0;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (label is "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY")
            {
                var legacy = rest[fields.Location].Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal);
                var algorithm = label switch
                {
                    "RSA PRIVATE KEY" => RsaOid,
                    "EC PRIVATE KEY" => EcOid,
                    "PRIVATE KEY" => Pkcs8Algorithm(Convert.FromBase64String(rest[fields.Base64Data].ToString()), path),
                    _ => null,
                };
                return (label, algorithm, legacy);
            }
            offset += fields.Location.End.Value;
            rest = text.AsSpan(offset);
        }
        // PemEncoding reads RFC 7468 PEM, which has no headers, so it never finds a block with OpenSSL's legacy
        // "Proc-Type: 4,ENCRYPTED" and "DEK-Info" headers: recognise that format here.
        if (text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            return (string.Empty, null, true);
        }
        throw new CertificateException(text.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal)
            ? $"the key file {path} holds a certificate, not a private key: swap --cert and --key"
            : $"the key file {path} holds no PEM private key (-----BEGIN PRIVATE KEY-----): give the key that belongs to the certificate");
    }
}
