using System.Security.Cryptography.X509Certificates;
using WssKit.Certificates;
using WssKit.Certificates.Acme;
using WssKit.Certificates.DevCa;
using WssKit.Certificates.Reload;
using WssKit.Server.Configuration;
using WssKit.Server.Hosting;

namespace WssKit.Server.Tls;

/// <summary>
/// Loads every certificate the options name, before anything listens: the default one (files, or the development
/// CA) and one per SNI site. Any error stops the start with a message that names the file and the fix.
/// </summary>
internal static class CertificateSetup
{
    // A required "*.example.com" is checked by asking whether a name one label below it is covered.
    private const string WildcardProbeLabel = "wsskit-wildcard-probe";

    public sealed record Loaded(ServedCertificates Certificates, IReadOnlyList<ServedSite> Sites, DevelopmentCaInfo? DevelopmentCa, AcmeStore? Acme);

    public static Loaded Load(WssServerOptions options, TimeProvider time)
    {
        var sites = new List<ServedSite>();
        var (defaultSource, authority) = DefaultSource(options, time);
        var knownIssuers = authority is null ? null : new X509Certificate2Collection(authority.Certificate);
        var defaultSlot = new CertificateSlot("default", defaultSource, [.. options.ServerNames], time, knownIssuers);
        var defaultProblems = defaultSlot.LoadInitial();
        sites.Add(new ServedSite("default", [], defaultSlot.Current, defaultProblems));

        var siteSlots = new List<(CertificateSlot, IReadOnlyList<string>)>();
        foreach (var site in options.Sites)
        {
            ICertificateSource source = site.Pfx is not null
                ? new PfxFileSource(site.Pfx, site.PfxPassword)
                : new PemFilesSource(site.Cert!, site.Key!, site.KeyPassword);
            var hosts = site.Hosts.Count > 0 ? site.Hosts : DnsNames(source.Load());
            if (hosts.Count == 0)
            {
                throw new CertificateException($"the site certificate {source.Description} has no DNS names and the site lists no \"hosts\": add \"hosts\": [\"example.com\"] to it");
            }
            var slot = new CertificateSlot(hosts[0], source, [.. hosts.Select(Probe)], time);
            var problems = slot.LoadInitial();
            sites.Add(new ServedSite(slot.Name, [.. hosts], slot.Current, problems));
            siteSlots.Add((slot, [.. hosts]));
        }
        var developmentCa = authority is null ? null : new DevelopmentCaInfo(authority.CertificatePath, authority.Created, authority.Certificate.Subject);
        return new Loaded(new ServedCertificates(defaultSlot, siteSlots, native: options.TlsEngine == TlsEngine.OpenSsl && Native.LibSsl.IsAvailable), sites, developmentCa, (defaultSource as AcmeSource)?.Store);
    }

    private static (ICertificateSource Source, DevelopmentAuthority? Authority) DefaultSource(WssServerOptions options, TimeProvider time)
    {
        if (options.Pfx is not null)
        {
            return (new PfxFileSource(options.Pfx, options.PfxPassword), null);
        }
        if (options.Cert is not null)
        {
            return (new PemFilesSource(options.Cert, options.Key!, options.KeyPassword), null);
        }
        if (options.Domains.Count > 0)
        {
            return (new AcmeSource(new AcmeStore(options.DataDirectory, [.. options.Domains])), null);
        }
        var authority = DevelopmentAuthority.LoadOrCreate(options.DataDirectory, time);
        var names = DevelopmentAuthority.LocalNames();
        var foreign = options.ServerNames.FirstOrDefault(name => !names.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (foreign is not null)
        {
            throw new CertificateException(
                $"the development CA only issues certificates for {string.Join(", ", names)}, not for {foreign}: give a certificate for {foreign} with --cert and --key (or --pfx)");
        }
        return (new DevelopmentSource(authority, names), authority);
    }

    private static List<string> DnsNames(ServerCertificate certificate)
        => [.. certificate.Names.Where(name => !System.Net.IPAddress.TryParse(name, out _)).Select(name => name.ToLowerInvariant())];

    private static string Probe(string host) => host.StartsWith("*.", StringComparison.Ordinal) ? WildcardProbeLabel + host[1..] : host;
}
