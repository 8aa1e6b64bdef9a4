using Microsoft.Extensions.Logging;
using WssKit.Certificates.Files;

namespace WssKit.Server.Configuration;

/// <summary>
/// Everything <c>wss serve</c> can be told. Filled from wss.json, then WSS_* environment variables, then flags
/// (see <see cref="ServeSettings"/>), or through <c>IOptions</c> by an application hosting the server itself.
/// </summary>
public sealed class WssServerOptions
{
    /// <summary>The TLS port used when <see cref="Listen"/> is empty. Default 8443.</summary>
    public int Port { get; set; } = 8443;

    /// <summary>Addresses to serve wss:// on, as host:port ([::]:443, 0.0.0.0:443, :443 for every address). Default: 127.0.0.1 and ::1 on <see cref="Port"/>.</summary>
    public IList<string> Listen { get; set; } = [];

    /// <summary>A plain-HTTP port that redirects pages to https and refuses ws:// (or serves it with <see cref="Insecure"/>). Default: none.</summary>
    public int? HttpPort { get; set; }

    /// <summary>Serve plain ws:// on the HTTP port, for local development only. Default false.</summary>
    public bool Insecure { get; set; }

    /// <summary>Host names clients use to reach the server; each certificate must cover them. Default: none (the certificate's names are shown).</summary>
    public IList<string> ServerNames { get; set; } = [];

    /// <summary>Where the development CA and other state live. Default: $XDG_DATA_HOME/wsskit, else ~/.local/share/wsskit.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>The default certificate: a PEM chain, leaf first (fullchain.pem). Default: none (the development CA issues one).</summary>
    public string? Cert { get; set; }

    /// <summary>The private key of <see cref="Cert"/> (PEM). Default: none.</summary>
    public string? Key { get; set; }

    /// <summary>Where the password of an encrypted <see cref="Key"/> comes from. Default: none.</summary>
    public SecretSource KeyPassword { get; set; } = SecretSource.None;

    /// <summary>The default certificate as a PKCS#12 file, instead of <see cref="Cert"/> and <see cref="Key"/>. Default: none.</summary>
    public string? Pfx { get; set; }

    /// <summary>Where the password of <see cref="Pfx"/> comes from. Default: none.</summary>
    public SecretSource PfxPassword { get; set; } = SecretSource.None;

    /// <summary>Domains to get a certificate for from an ACME CA (HTTP-01 on the plain HTTP port), renewed at two thirds of its lifetime. Default: none.</summary>
    public IList<string> Domains { get; set; } = [];

    /// <summary>The contact address given to the ACME CA (expiry warnings, account recovery). Default: none.</summary>
    public string? AcmeEmail { get; set; }

    /// <summary>The ACME directory URL. Default: Let's Encrypt's production directory.</summary>
    public string AcmeDirectory { get; set; } = LetsEncrypt;

    /// <summary>A PEM root to trust for the ACME server's own HTTPS (a private or test CA). Default: none (the system's roots).</summary>
    public string? AcmeCa { get; set; }

    /// <summary>Let's Encrypt's production directory.</summary>
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>Let's Encrypt's staging directory: untrusted certificates, generous rate limits.</summary>
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>Host names served with their own certificates, chosen by SNI (the default certificate serves other names). Default: none.</summary>
    public IList<SiteOptions> Sites { get; set; } = [];

    /// <summary>Subprotocols the server speaks, in order of preference. Default: none.</summary>
    public IList<string> Subprotocols { get; set; } = [];

    /// <summary>Origins allowed to open WebSockets (scheme://host[:port]); others get 403. Default: any origin.</summary>
    public IList<string> AllowedOrigins { get; set; } = [];

    /// <summary>Use permessage-deflate (RFC 7692) with clients that offer it, without context takeover so no connection keeps a compressor. Default false.</summary>
    public bool Compression { get; set; }

    /// <summary>The largest message accepted; a larger one closes the connection with 1009. Default 1 MiB.</summary>
    public long MaxMessageSize { get; set; } = 1 << 20;

    /// <summary>How much may wait to be sent to one client; a client that falls further behind (it does not read) is closed with 1008. Default 4 MiB.</summary>
    public long MaxOutgoingBuffer { get; set; } = 4 << 20;

    /// <summary>How often an idle connection is pinged. Zero turns pings off. Default 30 s.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the peer is taken for dead and dropped. Default 30 s.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection with no message either way for this long is closed (1001). Zero turns it off. Default 15 min.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Open WebSocket connections allowed in all; more get 503. Default 20,000.</summary>
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Open WebSocket connections allowed from one client IP address; more get 429. Zero turns it off. Default 1,000.</summary>
    public int MaxConnectionsPerIp { get; set; } = 1_000;

    /// <summary>Client networks not limited per IP, such as a local reverse proxy through which every client arrives. Default: loopback (127.0.0.0/8, ::1).</summary>
    public IList<string> PerIpLimitExempt { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>Time allowed for the TLS handshake, and then for the upgrade request, so slow clients cannot hold connections (slow-loris). Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>On shutdown, how long clients get to answer the close (1001) before connections are cut. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Which TLS implementation serves the TLS port. Default OpenSSL 3 driven directly where it can be loaded (Linux);
    /// .NET's SslStream elsewhere, and for certificates whose key cannot be handed to OpenSSL.
    /// </summary>
    public TlsEngine TlsEngine { get; set; } = TlsEngine.OpenSsl;

    /// <summary>The max-age of the Strict-Transport-Security header on HTTPS responses (not sent for loopback hosts). Zero turns it off. Default 365 days.</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>The least severe log level written. Default Information.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>How logs are written: text for people, json for log collectors. Default text.</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>$XDG_DATA_HOME/wsskit when set, else ~/.local/share/wsskit.</summary>
    public static string DefaultDataDirectory()
        => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "wsskit");
}

/// <summary>How logs are written.</summary>
public enum LogFormat
{
    /// <summary>One line per event, for people.</summary>
    Text,
    /// <summary>One JSON object per line, for log collectors.</summary>
    Json,
}

/// <summary>The TLS implementation of the TLS port.</summary>
public enum TlsEngine
{
    /// <summary>OpenSSL 3 through WssKit's own TLS layer (Linux).</summary>
    OpenSsl,
    /// <summary>.NET's SslStream, through Kestrel's HTTPS middleware.</summary>
    DotNet,
}

/// <summary>Host names served with their own certificate.</summary>
public sealed class SiteOptions
{
    /// <summary>The host names (SNI) this certificate serves; "*.example.com" matches one label. Default: the certificate's own DNS names.</summary>
    public IList<string> Hosts { get; set; } = [];

    /// <summary>The certificate chain (PEM, leaf first).</summary>
    public string? Cert { get; set; }

    /// <summary>The private key (PEM).</summary>
    public string? Key { get; set; }

    /// <summary>Where the key's password comes from, when it is encrypted.</summary>
    public SecretSource KeyPassword { get; set; } = SecretSource.None;

    /// <summary>The certificate as a PKCS#12 file, instead of <see cref="Cert"/> and <see cref="Key"/>.</summary>
    public string? Pfx { get; set; }

    /// <summary>Where the PFX password comes from.</summary>
    public SecretSource PfxPassword { get; set; } = SecretSource.None;
}
