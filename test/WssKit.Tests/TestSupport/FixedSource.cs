using WssKit.Certificates;
using WssKit.Certificates.Reload;

namespace WssKit.Tests.TestSupport;

/// <summary>A certificate source that yields a certificate held in memory, replaceable by the test.</summary>
internal sealed class FixedSource(ServerCertificate certificate) : ICertificateSource
{
    public ServerCertificate Certificate { get; set; } = certificate;

    public string Description => "in memory";

    public IReadOnlyList<string> WatchedFiles => [];

    public bool RenewsItself => false;

    public ServerCertificate Load() => Certificate;
}
