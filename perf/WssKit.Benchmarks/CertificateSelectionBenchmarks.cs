using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using WssKit.Certificates;
using WssKit.Certificates.Reload;
using WssKit.Server.Tls;

namespace WssKit.Benchmarks;

/// <summary>
/// The per-handshake work of choosing a certificate by SNI: a dictionary lookup that must not allocate, whatever
/// the number of sites.
/// </summary>
[MemoryDiagnoser]
public class CertificateSelectionBenchmarks
{
    private ServedCertificates _certificates = null!;

    [Params(1, 100)]
    public int Sites { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sites = Enumerable.Range(0, Sites)
            .Select(index => (Slot(index % 2 == 0 ? $"site{index}.example.com" : $"*.wild{index}.example.com"),
                (IReadOnlyList<string>)[index % 2 == 0 ? $"site{index}.example.com" : $"*.wild{index}.example.com"]))
            .ToList();
        _certificates = new ServedCertificates(Slot("localhost"), sites);
    }

    [Benchmark(Baseline = true)]
    public object Exact() => _certificates.Select("site0.example.com");

    [Benchmark]
    public object Wildcard() => _certificates.Select(Sites > 1 ? "a.wild1.example.com" : "site0.example.com");

    [Benchmark]
    public object Unknown() => _certificates.Select("unknown.example.org");

    [Benchmark]
    public object NoSni() => _certificates.Select(null);

    private static CertificateSlot Slot(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var slot = new CertificateSlot(name, new Fixed(new ServerCertificate(certificate, [], "benchmark")), [], TimeProvider.System);
        slot.LoadInitial();
        return slot;
    }

    private sealed class Fixed(ServerCertificate certificate) : ICertificateSource
    {
        public string Description => "benchmark";

        public IReadOnlyList<string> WatchedFiles => [];

        public bool RenewsItself => false;

        public ServerCertificate Load() => certificate;
    }
}
