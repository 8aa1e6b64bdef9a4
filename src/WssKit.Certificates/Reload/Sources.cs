using WssKit.Certificates.DevCa;
using WssKit.Certificates.Files;

namespace WssKit.Certificates.Reload;

/// <summary>A PEM certificate chain and its key, as certbot and most CAs deliver them.</summary>
public sealed record PemFilesSource(string CertificatePath, string KeyPath, SecretSource? Password = null) : ICertificateSource
{
    /// <inheritdoc />
    public string Description => $"{CertificatePath} + {KeyPath}";

    /// <inheritdoc />
    public IReadOnlyList<string> WatchedFiles => [CertificatePath, KeyPath];

    /// <inheritdoc />
    public bool RenewsItself => false;

    /// <inheritdoc />
    public ServerCertificate Load() => CertificateFiles.LoadPem(CertificatePath, KeyPath, Password);
}

/// <summary>A PKCS#12 (.pfx/.p12) file holding the key and the chain.</summary>
public sealed record PfxFileSource(string Path, SecretSource? Password = null) : ICertificateSource
{
    /// <inheritdoc />
    public string Description => Path;

    /// <inheritdoc />
    public IReadOnlyList<string> WatchedFiles => [Path];

    /// <inheritdoc />
    public bool RenewsItself => false;

    /// <inheritdoc />
    public ServerCertificate Load() => CertificateFiles.LoadPfx(Path, Password);
}

/// <summary>A leaf from the development CA, issued for local names and renewed before it expires.</summary>
public sealed record DevelopmentSource(DevelopmentAuthority Authority, IReadOnlyList<string> Names) : ICertificateSource
{
    /// <inheritdoc />
    public string Description => $"development CA ({Authority.CertificatePath})";

    /// <inheritdoc />
    public IReadOnlyList<string> WatchedFiles => [];

    /// <inheritdoc />
    public bool RenewsItself => true;

    /// <inheritdoc />
    public ServerCertificate Load() => Authority.CurrentLeaf(Names);
}
