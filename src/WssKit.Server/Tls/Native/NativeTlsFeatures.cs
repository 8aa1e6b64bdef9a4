using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace WssKit.Server.Tls.Native;

/// <summary>
/// What Kestrel's HTTP layer learns about a connection secured by the native TLS layer: that it is TLS (https,
/// wss), the ALPN protocol (HTTP/2 or HTTP/1.1), the version and suite (HTTP/2 requires TLS 1.2 or later) and the
/// SNI name. Clients present no certificate: the server does not ask for one.
/// </summary>
internal sealed class NativeTlsFeatures(NativeTlsSession session, string? serverName)
    : ITlsConnectionFeature, ITlsApplicationProtocolFeature, ITlsHandshakeFeature
{
    public X509Certificate2? ClientCertificate { get => null; set { } }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);

    public ReadOnlyMemory<byte> ApplicationProtocol => session.ApplicationProtocol;

    public SslProtocols Protocol => session.Protocol;

    public TlsCipherSuite? NegotiatedCipherSuite => session.CipherSuite;

    public string HostName => serverName ?? string.Empty;

#pragma warning disable SYSLIB0058 // the interface still has the legacy algorithm properties; the suite above says it all
    public CipherAlgorithmType CipherAlgorithm => CipherAlgorithmType.None;

    public int CipherStrength => 0;

    public HashAlgorithmType HashAlgorithm => HashAlgorithmType.None;

    public int HashStrength => 0;

    public ExchangeAlgorithmType KeyExchangeAlgorithm => ExchangeAlgorithmType.None;

    public int KeyExchangeStrength => 0;
#pragma warning restore SYSLIB0058
}
