using System.Security.Cryptography.X509Certificates;

namespace WssKit.Certificates.Acme;

/// <summary>
/// Where ACME state lives in the data directory: the account key (created once, mode 0600) and, per set of domains,
/// the issued chain and its key; a lock file so that two servers sharing the directory never order twice at once.
/// </summary>
public sealed class AcmeStore
{
    public AcmeStore(string dataDirectory, IReadOnlyList<string> domains)
    {
        Domains = domains;
        Directory = Path.Combine(dataDirectory, "acme");
        var folder = Path.Combine(Directory, domains[0].Replace('*', '_'));
        // The folder exists from the start: the reloader watches it for the files the renewer writes.
        System.IO.Directory.CreateDirectory(folder);
        CertificatePath = Path.Combine(folder, "fullchain.pem");
        KeyPath = Path.Combine(folder, "privkey.pem");
    }

    public IReadOnlyList<string> Domains { get; }

    public string Directory { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    /// <summary>The account key, created and kept (0600) on first use.</summary>
    public AccountKey LoadOrCreateAccountKey()
    {
        var path = Path.Combine(Directory, "account.key");
        if (File.Exists(path))
        {
            return AccountKey.FromPem(File.ReadAllText(path));
        }
        var key = AccountKey.Create();
        WritePrivate(path, key.ExportPem());
        return key;
    }

    /// <summary>Stores a new certificate: the key first, then the chain, each written aside and moved into place.</summary>
    public void Save(ServerCertificate certificate)
    {
        using var key = certificate.Leaf.GetECDsaPrivateKey() ?? throw new InvalidOperationException("an ACME certificate carries an ECDSA key");
        WritePrivate(KeyPath, key.ExportPkcs8PrivateKeyPem());
        WritePrivate(CertificatePath, string.Concat(new[] { certificate.Leaf }.Concat(certificate.Chain.Cast<X509Certificate2>())
            .Select(c => c.ExportCertificatePem() + "\n")));
    }

    /// <summary>Takes the directory's lock, or null when another process holds it.</summary>
    public IDisposable? TryLock()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            return new FileStream(Path.Combine(Directory, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void WritePrivate(string path, string content)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var aside = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(aside, System.Text.Encoding.ASCII, options))
        {
            writer.Write(content);
        }
        File.Move(aside, path, overwrite: true);
    }
}
