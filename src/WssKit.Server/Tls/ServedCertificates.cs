using System.Net.Security;
using WssKit.Certificates.Reload;
using WssKit.Server.Tls.Native;

namespace WssKit.Server.Tls;

/// <summary>
/// The certificates a server presents: one per site, chosen by the SNI host name (exact names first, then
/// "*.example.com" wildcards), and a default one for unknown or missing names. Handshake options are rebuilt
/// whenever a slot's certificate is replaced, so a selection is a dictionary lookup. With <c>native</c>, each site
/// also keeps an OpenSSL context for the native TLS layer, rebuilt with the options.
/// </summary>
internal sealed class ServedCertificates
{
    private readonly Dictionary<string, Site> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Site> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Site>.AlternateLookup<ReadOnlySpan<char>> _wildcardBySpan;
    private readonly Site _default;
    private readonly List<Site> _sites = [];

    public ServedCertificates(CertificateSlot defaultSlot, IEnumerable<(CertificateSlot Slot, IReadOnlyList<string> Hosts)> sites, bool native = false)
    {
        _default = new Site(defaultSlot, native);
        var all = new List<CertificateSlot> { defaultSlot };
        foreach (var (slot, hosts) in sites)
        {
            var site = new Site(slot, native);
            all.Add(slot);
            foreach (var host in hosts)
            {
                if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    _wildcard[host[2..]] = site;
                }
                else
                {
                    _exact[host] = site;
                }
            }
        }
        Slots = all;
        _sites.Add(_default);
        _sites.AddRange(_exact.Values.Concat(_wildcard.Values).Distinct());
        _wildcardBySpan = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every slot, the default first.</summary>
    public IReadOnlyList<CertificateSlot> Slots { get; }

    /// <summary>The handshake options for a client that asked for <paramref name="serverName"/> (null or empty: no SNI).</summary>
    public SslServerAuthenticationOptions Select(string? serverName) => SiteFor(serverName).Options;

    /// <summary>
    /// The OpenSSL context for a client that asked for <paramref name="serverName"/>; null when the server runs
    /// without the native TLS layer or OpenSSL could not take that certificate (then .NET's TLS serves it).
    /// </summary>
    public NativeTlsContext? NativeFor(string? serverName) => SiteFor(serverName).Native;

    /// <summary>Whether every site has an OpenSSL context: only then does the native TLS layer take connections.</summary>
    public bool AllNative
    {
        get
        {
            foreach (var site in _sites)
            {
                if (site.Native is null)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Why a site's certificate is not served by the native TLS layer, for the first such site; null if none.</summary>
    public string? NativeProblem => _sites.Select(site => site.NativeProblem is null ? null : $"{site.Slot.Name}: {site.NativeProblem}").FirstOrDefault(problem => problem is not null);

    /// <summary>The slot that serves <paramref name="serverName"/>.</summary>
    public CertificateSlot SlotFor(string? serverName) => SiteFor(serverName).Slot;

    private Site SiteFor(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _default;
        }
        if (_exact.TryGetValue(serverName, out var site))
        {
            return site;
        }
        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        // Looked up by span: a handshake for an unknown name allocates nothing.
        return dot > 0 && _wildcardBySpan.TryGetValue(serverName.AsSpan(dot + 1), out site) ? site : _default;
    }

    private sealed class Site
    {
        private readonly bool _native;
        private volatile SslServerAuthenticationOptions _options = null!; // set by Build
        private volatile NativeTlsContext? _nativeContext;

        public Site(CertificateSlot slot, bool native)
        {
            Slot = slot;
            _native = native;
            Build(slot);
            slot.Replaced += Build;
        }

        public CertificateSlot Slot { get; }

        public SslServerAuthenticationOptions Options => _options;

        public NativeTlsContext? Native => _nativeContext;

        public string? NativeProblem { get; private set; }

        private void Build(CertificateSlot slot)
        {
            _options = TlsPolicy.For(slot.Current);
            if (!_native)
            {
                return;
            }
            var previous = _nativeContext;
            _nativeContext = NativeTlsContext.TryCreate(slot.Current, out var problem);
            NativeProblem = problem;
            // Connections that use the previous context hold their own reference to it in OpenSSL.
            previous?.Dispose();
        }
    }
}
