using WssKit.Certificates;
using WssKit.Certificates.Inspection;

namespace WssKit.Server.Hosting;

/// <summary>What a started server serves, for the CLI to show: URLs, certificates and how clients trust them.</summary>
/// <param name="EchoUrls">The wss:// URLs of the echo endpoint.</param>
/// <param name="Addresses">The addresses bound, as host:port.</param>
/// <param name="PlainHttpUrl">The plain-HTTP base URL, when an HTTP port is served.</param>
/// <param name="Insecure">Whether plain ws:// is served.</param>
/// <param name="Sites">The certificates served: the default first, then one per SNI site.</param>
/// <param name="DevelopmentCa">The development CA, when it issued the default certificate.</param>
/// <param name="Warnings">Things the operator should know; none stopped the start.</param>
/// <param name="Tls">What serves TLS: OpenSSL driven directly, with its version, or .NET's SslStream.</param>
public sealed record StartupReport(
    IReadOnlyList<string> EchoUrls,
    IReadOnlyList<string> Addresses,
    string? PlainHttpUrl,
    bool Insecure,
    IReadOnlyList<ServedSite> Sites,
    DevelopmentCaInfo? DevelopmentCa,
    IReadOnlyList<string> Warnings,
    string Tls);

/// <summary>One served certificate.</summary>
/// <param name="Name">"default", or the site's first host name.</param>
/// <param name="Hosts">The SNI names it answers (empty for the default: every other name).</param>
/// <param name="Certificate">The certificate.</param>
/// <param name="Problems">What inspection found that did not stop the start.</param>
public sealed record ServedSite(string Name, IReadOnlyList<string> Hosts, ServerCertificate Certificate, IReadOnlyList<CertificateProblem> Problems);

/// <summary>The development CA that issued the default certificate.</summary>
/// <param name="CertificatePath">Its certificate file (PEM), for clients to trust.</param>
/// <param name="Created">Whether this start created it.</param>
/// <param name="Subject">Its subject name.</param>
public sealed record DevelopmentCaInfo(string CertificatePath, bool Created, string Subject);
