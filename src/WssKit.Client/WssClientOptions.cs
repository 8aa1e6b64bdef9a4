using System.Security.Cryptography.X509Certificates;

namespace WssKit.Client;

/// <summary>How to open a WebSocket. Certificates are always verified unless <see cref="DangerousAcceptAnyServerCertificate"/> says otherwise.</summary>
public sealed record WssClientOptions
{
    /// <summary>Extra request headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Subprotocols to offer, in order of preference.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>The Origin header to send, as a browser would. Default: none.</summary>
    public string? Origin { get; init; }

    /// <summary>A PEM file of certificate authorities to trust besides the system's. Default: none.</summary>
    public string? TrustedCaFile { get; init; }

    /// <summary>A client certificate with its private key, for mutual TLS. Default: none.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Intermediate certificates sent along with <see cref="ClientCertificate"/>, so the server can build its chain.</summary>
    public X509Certificate2Collection ClientCertificateIntermediates { get; init; } = [];

    /// <summary>Accept any server certificate: for a test bench only, never in production. Default false.</summary>
    public bool DangerousAcceptAnyServerCertificate { get; init; }

    /// <summary>The SNI and certificate name to use instead of the URL's host. Default: the URL's host.</summary>
    public string? ServerName { get; init; }

    /// <summary>An HTTP proxy to tunnel through with CONNECT (credentials in the URL: http://user:password@host:port). Default: none.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Take the proxy from HTTPS_PROXY (wss://), HTTP_PROXY (ws://) or ALL_PROXY, minus NO_PROXY, when <see cref="Proxy"/> is not given. Default true.</summary>
    public bool UseEnvironmentProxy { get; init; } = true;

    /// <summary>Time allowed for DNS and TCP together (through the proxy: to the proxy, then the tunnel). Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for TLS and the upgrade together. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Offer permessage-deflate. Default true.</summary>
    public bool Compression { get; init; } = true;

    /// <summary>The largest message accepted; larger ones fail the connection with 1009. Default 64 MiB.</summary>
    public long MaxMessageSize { get; init; } = 64 << 20;
}
