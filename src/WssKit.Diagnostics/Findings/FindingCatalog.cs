namespace WssKit.Diagnostics.Findings;

/// <summary>The five kinds of trouble the article names; every finding belongs to one.</summary>
public enum FindingCategory
{
    ConnectionRefused,
    SlowConnection,
    InconsistentData,
    Certificate,
    Security,
}

/// <summary>How bad a finding is: errors break clients, warnings will or may, info is worth knowing.</summary>
public enum Severity
{
    Info,
    Warning,
    Error,
}

/// <summary>A kind of finding: its stable id, category, usual severity and a title for people.</summary>
public sealed record FindingKind(string Id, FindingCategory Category, Severity Severity, string Title);

/// <summary>Every finding id wss check can report. Ids are stable: more may be added, none renamed.</summary>
public static class FindingCatalog
{
    public static IReadOnlyList<FindingKind> All { get; } =
    [
        new("dns-unresolved", FindingCategory.ConnectionRefused, Severity.Error, "the host name does not resolve"),
        new("ipv6-broken", FindingCategory.ConnectionRefused, Severity.Warning, "IPv6 addresses are published but do not connect"),
        new("tcp-refused", FindingCategory.ConnectionRefused, Severity.Error, "nothing listens on the port"),
        new("tcp-timeout", FindingCategory.ConnectionRefused, Severity.Error, "TCP connections time out (packets dropped)"),
        new("tls-plaintext-port", FindingCategory.ConnectionRefused, Severity.Error, "the port speaks plain HTTP, not TLS"),
        new("tls-handshake-failed", FindingCategory.ConnectionRefused, Severity.Error, "the TLS handshake fails"),
        new("tls-version-unsupported", FindingCategory.ConnectionRefused, Severity.Error, "the server offers no TLS version modern clients accept"),
        new("upgrade-ignored", FindingCategory.ConnectionRefused, Severity.Error, "an HTTP answer without the WebSocket upgrade"),
        new("upgrade-rejected", FindingCategory.ConnectionRefused, Severity.Error, "the upgrade is refused with an HTTP error"),
        new("origin-rejected", FindingCategory.ConnectionRefused, Severity.Error, "the upgrade is refused because of the Origin header"),
        new("auth-required", FindingCategory.ConnectionRefused, Severity.Error, "the upgrade needs credentials"),
        new("upgrade-bad-accept", FindingCategory.ConnectionRefused, Severity.Error, "Sec-WebSocket-Accept is wrong"),
        new("proxy-connect-refused", FindingCategory.ConnectionRefused, Severity.Error, "the proxy refuses to tunnel"),
        new("proxy-strips-upgrade", FindingCategory.ConnectionRefused, Severity.Error, "a proxy drops the upgrade headers"),
        new("cert-expired", FindingCategory.Certificate, Severity.Error, "the certificate has expired"),
        new("cert-not-yet-valid", FindingCategory.Certificate, Severity.Error, "the certificate is not valid yet"),
        new("cert-expiring-soon", FindingCategory.Certificate, Severity.Warning, "the certificate expires soon"),
        new("cert-hostname-mismatch", FindingCategory.Certificate, Severity.Error, "the certificate is for other names"),
        new("cert-self-signed", FindingCategory.Certificate, Severity.Error, "the certificate is self-signed"),
        new("cert-untrusted-root", FindingCategory.Certificate, Severity.Error, "the chain ends at a root clients do not trust"),
        new("cert-chain-incomplete", FindingCategory.Certificate, Severity.Error, "the server does not send its intermediate certificates"),
        new("cert-weak-key", FindingCategory.Certificate, Severity.Error, "the certificate's key is too weak"),
        new("cert-weak-signature", FindingCategory.Certificate, Severity.Error, "the certificate's signature algorithm is broken"),
        new("cert-sni-required", FindingCategory.Certificate, Severity.Info, "the right certificate is served only with SNI"),
        new("cert-intercepted", FindingCategory.Certificate, Severity.Error, "a proxy replaces the certificate"),
        new("high-network-latency", FindingCategory.SlowConnection, Severity.Warning, "the network round trip is long"),
        new("slow-tls-handshake", FindingCategory.SlowConnection, Severity.Warning, "the TLS handshake is slow"),
        new("slow-upgrade", FindingCategory.SlowConnection, Severity.Warning, "the upgrade answer is slow"),
        new("slow-server-response", FindingCategory.SlowConnection, Severity.Warning, "the server is slow to answer messages"),
        new("low-throughput", FindingCategory.SlowConnection, Severity.Warning, "little data per second gets through"),
        new("latency-jitter", FindingCategory.SlowConnection, Severity.Warning, "round trips vary widely"),
        new("idle-timeout", FindingCategory.InconsistentData, Severity.Warning, "idle connections are cut"),
        new("data-corrupted", FindingCategory.InconsistentData, Severity.Error, "echoed messages differ from what was sent"),
        new("message-size-limit", FindingCategory.InconsistentData, Severity.Info, "messages above a size are refused"),
        new("abnormal-close", FindingCategory.InconsistentData, Severity.Warning, "the connection ends without a close frame"),
        new("compression-mismatch", FindingCategory.InconsistentData, Severity.Error, "permessage-deflate is negotiated wrongly"),
        new("proxy-buffering", FindingCategory.InconsistentData, Severity.Warning, "a proxy holds messages back"),
        new("tls-legacy-version", FindingCategory.Security, Severity.Warning, "TLS 1.0 or 1.1 is still accepted"),
        new("weak-cipher", FindingCategory.Security, Severity.Warning, "a weak cipher suite is negotiated"),
        new("insecure-ws-accepted", FindingCategory.Security, Severity.Warning, "plain ws:// is accepted beside wss://"),
        new("origin-not-checked", FindingCategory.Security, Severity.Info, "WebSockets from any Origin are accepted"),
    ];

    private static readonly Dictionary<string, FindingKind> ById = All.ToDictionary(kind => kind.Id, StringComparer.Ordinal);

    /// <summary>The kind with this id.</summary>
    public static FindingKind Get(string id) => ById.TryGetValue(id, out var kind) ? kind : throw new ArgumentException($"unknown finding id '{id}'", nameof(id));

    /// <summary>The page that explains a finding, relative to the repository (and the published docs).</summary>
    public static string DocsPath(string id) => $"docs/findings/{id}.md";

    /// <summary>"connection-refused" for <see cref="FindingCategory.ConnectionRefused"/>: the form in JSON and docs.</summary>
    public static string Name(this FindingCategory category) => category switch
    {
        FindingCategory.ConnectionRefused => "connection-refused",
        FindingCategory.SlowConnection => "slow-connection",
        FindingCategory.InconsistentData => "inconsistent-data",
        FindingCategory.Certificate => "certificate",
        _ => "security",
    };
}
