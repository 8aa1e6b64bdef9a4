using System.Net.Security;
using System.Security.Authentication;
using WssKit.Certificates;

namespace WssKit.Server.Tls;

/// <summary>
/// The TLS policy: TLS 1.2 and 1.3 only; forward-secret AEAD suites only (ECDHE with AES-GCM or ChaCha20-Poly1305,
/// and TLS 1.3's suites, which are all AEAD); ALPN h2 and http/1.1.
/// </summary>
internal static class TlsPolicy
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static readonly IReadOnlyList<TlsCipherSuite> Suites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>
    /// Handshake options for one certificate. Built once per certificate and shared by every handshake: the
    /// certificate context carries the chain and lets the platform cache its TLS context and session tickets.
    /// </summary>
    public static SslServerAuthenticationOptions For(ServerCertificate certificate) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(certificate.Leaf, certificate.Chain, offline: true),
        EnabledSslProtocols = Protocols,
        // Windows takes its suites from the OS policy; elsewhere the list above is enforced.
        CipherSuitesPolicy = OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(Suites),
        ApplicationProtocols = Alpn,
        AllowRenegotiation = false,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
    };
}
