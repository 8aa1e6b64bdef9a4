namespace WssKit.Certificates.Reload;

/// <summary>Where a served certificate comes from; loaded again whenever it may have changed.</summary>
public interface ICertificateSource
{
    /// <summary>For people: the files, or "development CA".</summary>
    string Description { get; }

    /// <summary>The files to watch for changes (empty when nothing on disk is the source of truth).</summary>
    IReadOnlyList<string> WatchedFiles { get; }

    /// <summary>Whether loading again yields a fresh certificate once the current one is due for renewal.</summary>
    bool RenewsItself { get; }

    /// <summary>Loads the certificate now.</summary>
    /// <exception cref="CertificateException">It cannot be loaded; the message says why and how to fix it.</exception>
    ServerCertificate Load();
}
