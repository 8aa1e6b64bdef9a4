using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.DevCa;

/// <summary>
/// A certificate authority for development, kept in the data directory: ECDSA P-256, its key readable by the owner
/// only, constrained to local names (localhost, this host, loopback addresses). It issues short-lived leaf
/// certificates that are renewed before they expire.
/// </summary>
public sealed class DevelopmentAuthority
{
    /// <summary>How long an issued leaf is valid. Short, so a leaked leaf key is worth little; renewed automatically.</summary>
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(7);

    /// <summary>How long the authority itself is valid.</summary>
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    private const string CaCertificateFile = "dev-ca.pem";
    private const string CaKeyFile = "dev-ca.key";
    private const string LeafCertificateFile = "dev-leaf.pem";
    private const string LeafKeyFile = "dev-leaf.key";
    private const string LockFile = "dev-ca.lock";

    // Clients whose clock is a little behind must still accept a brand-new certificate.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly string _directory;
    private readonly TimeProvider _time;

    private DevelopmentAuthority(string directory, X509Certificate2 certificate, TimeProvider time, bool created)
    {
        _directory = directory;
        Certificate = certificate;
        _time = time;
        Created = created;
    }

    /// <summary>The authority's certificate, the one clients must trust. It carries the private key, to sign leaves: export only its public part (<see cref="ExportPem"/>).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The file that holds the authority's certificate in PEM.</summary>
    public string CertificatePath => Path.Combine(_directory, CaCertificateFile);

    /// <summary>Whether this call created the authority (first run) rather than loading it.</summary>
    public bool Created { get; }

    /// <summary>The names the authority may issue for: its permitted DNS subtrees.</summary>
    public IReadOnlyList<string> PermittedNames => NameConstraints.PermittedDnsNames(Certificate);

    /// <summary>The names a development leaf is issued for on this machine: localhost, the loopback addresses and the host name.</summary>
    public static IReadOnlyList<string> LocalNames()
    {
        var names = new List<string> { "localhost", "127.0.0.1", "::1" };
        if (HostName() is { } host)
        {
            names.Add(host);
        }
        return names;
    }

    /// <summary>Loads the authority from <paramref name="dataDirectory"/>, creating it there on first use.</summary>
    /// <exception cref="CertificateException">The directory cannot be written or holds a damaged authority.</exception>
    public static DevelopmentAuthority LoadOrCreate(string dataDirectory, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var directory = EnsureDirectory(dataDirectory);
        using var hold = DirectoryLock.Acquire(Path.Combine(directory, LockFile));
        var certificatePath = Path.Combine(directory, CaCertificateFile);
        var keyPath = Path.Combine(directory, CaKeyFile);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            try
            {
                return new DevelopmentAuthority(directory, X509Certificate2.CreateFromPemFile(certificatePath, keyPath), time, created: false);
            }
            catch (CryptographicException e)
            {
                throw new CertificateException(
                    $"the development CA in {directory} is damaged ({e.Message.TrimEnd('.')}): delete {certificatePath} and {keyPath} to create a new one (clients must then trust the new one)");
            }
        }
        var authority = Create(time);
        SecureFile.WriteAllText(keyPath, authority.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true);
        SecureFile.WriteAllText(certificatePath, authority.ExportCertificatePem(), secret: false);
        return new DevelopmentAuthority(directory, authority, time, created: true);
    }

    /// <summary>
    /// The development leaf for <paramref name="names"/>: the stored one while it is issued by this authority, covers
    /// the names and has more than a third of its lifetime left; otherwise a new one, which is stored.
    /// </summary>
    public ServerCertificate CurrentLeaf(IReadOnlyList<string> names)
    {
        using var hold = DirectoryLock.Acquire(Path.Combine(_directory, LockFile));
        var certificatePath = Path.Combine(_directory, LeafCertificateFile);
        var keyPath = Path.Combine(_directory, LeafKeyFile);
        if (TryLoadStoredLeaf(certificatePath, keyPath, names) is { } stored)
        {
            return stored;
        }
        var leaf = Issue(names);
        SecureFile.WriteAllText(keyPath, leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true);
        SecureFile.WriteAllText(certificatePath, leaf.ExportCertificatePem(), secret: false);
        return Served(leaf);
    }

    /// <summary>The authority's certificate in PEM, for clients to trust.</summary>
    public string ExportPem() => Certificate.ExportCertificatePem();

    private ServerCertificate? TryLoadStoredLeaf(string certificatePath, string keyPath, IReadOnlyList<string> names)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (CryptographicException)
        {
            return null; // damaged: issue a new one
        }
        var served = Served(leaf);
        var current = IssuedByThis(leaf)
            && names.All(name => SubjectNames.Covers(leaf, name))
            && !Renewal.IsDue(served, _time.GetUtcNow())
            && _time.GetUtcNow() < served.NotAfter;
        return current ? served : null;
    }

    private ServerCertificate Served(X509Certificate2 leaf)
        => new(leaf, [], $"development CA ({CertificatePath})");

    private bool IssuedByThis(X509Certificate2 leaf)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(leaf);
    }

    private X509Certificate2 Issue(IReadOnlyList<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}, O=WssKit development", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectNames.Extension(names));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = _time.GetUtcNow();
        using var signed = request.Create(Certificate, now - ClockSkew, now + LeafLifetime, RandomSerial());
        return signed.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var owner = $"{Environment.UserName}@{HostName() ?? "localhost"}";
        var request = new CertificateRequest($"CN=WssKit development CA {owner}, O=WssKit development", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var permitted = new List<string> { "localhost" };
        if (HostName() is { } host)
        {
            permitted.Add(host);
        }
        request.CertificateExtensions.Add(NameConstraints.Permitting(permitted,
            [(IPAddress.Parse("127.0.0.0"), 8), (IPAddress.IPv6Loopback, 128)]));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now - ClockSkew, now + AuthorityLifetime);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive INTEGER, as RFC 5280 requires
        return serial;
    }

    /// <summary>This machine's host name, when it is a usable DNS name that is not already "localhost".</summary>
    private static string? HostName()
    {
        var host = Dns.GetHostName().ToLowerInvariant();
        var usable = host.Length > 0 && host != "localhost" && !IPAddress.TryParse(host, out _)
            && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
        return usable ? host : null;
    }

    private static string EnsureDirectory(string dataDirectory)
    {
        try
        {
            return SecureFile.EnsureDirectory(dataDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateException($"cannot create the data directory {dataDirectory}: {Reason.Of(e)} (set --data-dir or WSS_DATA_DIR to a writable directory)");
        }
    }
}
