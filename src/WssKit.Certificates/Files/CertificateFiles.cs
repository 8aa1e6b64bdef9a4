using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.Files;

/// <summary>
/// Loads a served certificate from PEM or PKCS#12 files, with errors that say which file is wrong and how to fix it,
/// rather than the platform's "the key contents do not contain a PEM".
/// </summary>
public static class CertificateFiles
{
    /// <summary>Loads a PEM certificate chain (leaf first, as certbot's fullchain.pem) and its PEM private key.</summary>
    /// <param name="certificatePath">The certificate file: the leaf, then its intermediates.</param>
    /// <param name="keyPath">The private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), encrypted PKCS#8 with a password.</param>
    /// <param name="password">Where the key's password comes from, when the key is encrypted.</param>
    /// <exception cref="CertificateException">A file is missing, unreadable, malformed, or the key does not match.</exception>
    public static ServerCertificate LoadPem(string certificatePath, string keyPath, SecretSource? password = null)
    {
        var certificates = ReadCertificates(certificatePath);
        var keyText = ReadText(keyPath, "key");
        var key = PemKey.Read(keyText, keyPath, (password ?? SecretSource.None).Read());
        var leaf = certificates.FirstOrDefault(key.Matches)
            ?? throw new CertificateException(
                $"the key {keyPath} does not match the certificate {certificatePath} ({certificates[0].Subject}): use the key that was created with this certificate, or the certificate issued for this key");
        return new ServerCertificate(key.Attach(leaf), ChainOrder.Arrange(leaf, certificates), $"{certificatePath} + {keyPath}");
    }

    /// <summary>Loads a PKCS#12 (.pfx/.p12) file: the certificate that has a private key is the leaf, the others its chain.</summary>
    /// <exception cref="CertificateException">The file is missing, unreadable, has a different password or holds no key.</exception>
    public static ServerCertificate LoadPfx(string path, SecretSource? password = null)
    {
        var bytes = ReadBytes(path, "PFX");
        X509Certificate2Collection certificates;
        try
        {
            certificates = X509CertificateLoader.LoadPkcs12Collection(bytes, (password ?? SecretSource.None).Read(),
                X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new CertificateException(password?.IsSet == true
                ? $"cannot open the PFX file {path}: wrong password or not a PKCS#12 file ({e.Message.TrimEnd('.')})"
                : $"cannot open the PFX file {path}: it needs a password (--pfx-password-file or --pfx-password-env) or is not a PKCS#12 file");
        }
        var leaf = certificates.FirstOrDefault(certificate => certificate.HasPrivateKey)
            ?? throw new CertificateException($"the PFX file {path} holds no private key: export it again with the key included");
        return new ServerCertificate(leaf, ChainOrder.Arrange(leaf, certificates), path);
    }

    private static List<X509Certificate2> ReadCertificates(string path)
    {
        var text = ReadText(path, "certificate");
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new CertificateException($"the certificate file {path} has a malformed PEM certificate ({e.Message.TrimEnd('.')}): get a fresh copy from the CA");
        }
        if (collection.Count == 0)
        {
            throw new CertificateException(text.Contains("PRIVATE KEY", StringComparison.Ordinal)
                ? $"the certificate file {path} holds a private key, not a certificate: swap --cert and --key"
                : $"the certificate file {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the PEM file (fullchain.pem), or use --pfx for a PKCS#12 file");
        }
        return [.. collection];
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, what, e);
        }
    }

    private static byte[] ReadBytes(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, what, e);
        }
    }

    private static CertificateException Unreadable(string path, string what, Exception e)
        => new(e is UnauthorizedAccessException
            ? $"cannot read the {what} file {path}: permission denied (give the server's user read access, e.g. chgrp and chmod 640)"
            : $"cannot read the {what} file {path}: {Reason.Of(e)} (check the path)");
}
