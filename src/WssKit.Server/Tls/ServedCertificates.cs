using System.Net.Security;
using WssKit.Certificates.Reload;

namespace WssKit.Server.Tls;

/// <summary>
/// The certificates a server presents: one per site, chosen by the SNI host name (exact names first, then
/// "*.example.com" wildcards), and a default one for unknown or missing names. Handshake options are rebuilt
/// whenever a slot's certificate is replaced, so a selection is a dictionary lookup.
/// </summary>
internal sealed class ServedCertificates
{
    private readonly Dictionary<string, Site> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Site> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Site>.AlternateLookup<ReadOnlySpan<char>> _wildcardBySpan;
    private readonly Site _default;

    public ServedCertificates(CertificateSlot defaultSlot, IEnumerable<(CertificateSlot Slot, IReadOnlyList<string> Hosts)> sites)
    {
        _default = new Site(defaultSlot);
        var all = new List<CertificateSlot> { defaultSlot };
        foreach (var (slot, hosts) in sites)
        {
            var site = new Site(slot);
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
        _wildcardBySpan = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every slot, the default first.</summary>
    public IReadOnlyList<CertificateSlot> Slots { get; }

    /// <summary>The handshake options for a client that asked for <paramref name="serverName"/> (null or empty: no SNI).</summary>
    public SslServerAuthenticationOptions Select(string? serverName) => SiteFor(serverName).Options;

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
        private volatile SslServerAuthenticationOptions _options;

        public Site(CertificateSlot slot)
        {
            Slot = slot;
            _options = TlsPolicy.For(slot.Current);
            slot.Replaced += replaced => _options = TlsPolicy.For(replaced.Current);
        }

        public CertificateSlot Slot { get; }

        public SslServerAuthenticationOptions Options => _options;
    }
}
