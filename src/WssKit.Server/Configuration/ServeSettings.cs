using System.Net;
using Microsoft.Extensions.Logging;
using WssKit.Certificates.Files;

namespace WssKit.Server.Configuration;

/// <summary>
/// The settings of <c>wss serve</c>: one table drives the flags, the WSS_* environment variables, the wss.json keys,
/// --print-config and the reference in docs/configuration.md, so the four never disagree.
/// </summary>
public static class ServeSettings
{
    /// <summary>Every setting, in the order they are shown.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        new()
        {
            Key = "port", ValueName = "PORT", Help = "TLS port served on 127.0.0.1 and ::1 when --listen is not given",
            Apply = (s, o, i) => o.Port = ParsePort(s, i), Show = o => Setting.Number(o.Port),
        },
        new()
        {
            Key = "listen", ValueName = "HOST:PORT", IsList = true,
            Help = "address to serve wss:// on: 0.0.0.0:443, [::]:443 (IPv6 and IPv4), :443 (every address), localhost:8443; repeatable",
            Apply = (s, o, i) => o.Listen = [.. i.Values.Select(value => ListenAddress.Parse(value, s, i).ToString())],
            Show = o => List(o.Listen, "127.0.0.1 and ::1 on the port"),
        },
        new()
        {
            Key = "httpPort", ValueName = "PORT", Help = "plain-HTTP port: pages are redirected to https (308), ws:// upgrades are refused with the wss:// URL",
            Apply = (s, o, i) => o.HttpPort = ParseOptionalPort(s, i), Show = o => o.HttpPort is { } port ? Setting.Number(port) : "none",
        },
        new()
        {
            Key = "insecure", ValueName = "BOOL", IsSwitch = true,
            Help = "also serve plain ws:// on the HTTP port (8080 unless --http-port): unencrypted, for local development only",
            Apply = (s, o, i) => o.Insecure = ParseBool(s, i), Show = o => Bool(o.Insecure),
        },
        new()
        {
            Key = "serverNames", ValueName = "NAME", IsList = true,
            Help = "host name clients use to reach this server; every certificate must cover it; repeatable",
            Apply = (s, o, i) => o.ServerNames = [.. i.Values.Select(value => ParseHostName(s, i, value))],
            Show = o => List(o.ServerNames, "none"),
        },
        new()
        {
            Key = "dataDir", ValueName = "PATH", Help = "directory for the development CA and other state",
            Apply = (s, o, i) => o.DataDirectory = ParsePath(i), Show = o => o.DataDirectory,
        },
        new()
        {
            Key = "cert", ValueName = "PATH", Help = "certificate chain to serve (PEM, leaf first, e.g. fullchain.pem); without it a development CA issues one",
            Apply = (s, o, i) => o.Cert = ParsePath(i), Show = o => o.Cert ?? "none (development CA)",
        },
        new()
        {
            Key = "key", ValueName = "PATH", Help = "private key of --cert (PEM: PKCS#8, RSA or EC; encrypted PKCS#8 with a password)",
            Apply = (s, o, i) => o.Key = ParsePath(i), Show = o => o.Key ?? "none",
        },
        new()
        {
            Key = "keyPasswordFile", ValueName = "PATH", Help = "file whose first line is the password of an encrypted --key",
            Apply = (s, o, i) => o.KeyPassword = new SecretSource(FilePath: ParsePath(i)), Show = o => o.KeyPassword.FilePath ?? "none",
        },
        new()
        {
            Key = "keyPasswordEnv", ValueName = "VARIABLE", Help = "environment variable that holds the password of an encrypted --key",
            Apply = (s, o, i) => o.KeyPassword = new SecretSource(EnvironmentVariable: i.Value), Show = o => o.KeyPassword.EnvironmentVariable ?? "none",
        },
        new()
        {
            Key = "pfx", ValueName = "PATH", Help = "certificate and key as one PKCS#12 file (.pfx/.p12), instead of --cert and --key",
            Apply = (s, o, i) => o.Pfx = ParsePath(i), Show = o => o.Pfx ?? "none",
        },
        new()
        {
            Key = "pfxPasswordFile", ValueName = "PATH", Help = "file whose first line is the password of --pfx",
            Apply = (s, o, i) => o.PfxPassword = new SecretSource(FilePath: ParsePath(i)), Show = o => o.PfxPassword.FilePath ?? "none",
        },
        new()
        {
            Key = "pfxPasswordEnv", ValueName = "VARIABLE", Help = "environment variable that holds the password of --pfx",
            Apply = (s, o, i) => o.PfxPassword = new SecretSource(EnvironmentVariable: i.Value), Show = o => o.PfxPassword.EnvironmentVariable ?? "none",
        },
        new()
        {
            Key = "domain", ValueName = "NAME", IsList = true,
            Help = "domain to get a certificate for from an ACME CA (Let's Encrypt by default), proven over HTTP-01 on --http-port, else TLS-ALPN-01 on the TLS port, and renewed by itself; repeatable",
            Apply = (s, o, i) => o.Domains = [.. i.Values.Select(value => ParseHostName(s, i, value))],
            Show = o => List(o.Domains, "none"),
        },
        new()
        {
            Key = "acmeEmail", ValueName = "ADDRESS", Help = "contact address for the ACME account (the CA's expiry warnings)",
            Apply = (s, o, i) => o.AcmeEmail = i.Value.Contains('@', StringComparison.Ordinal) ? i.Value : throw s.Invalid(i, i.Value, "not an e-mail address"),
            Show = o => o.AcmeEmail ?? "none",
        },
        new()
        {
            Key = "acmeDirectory", ValueName = "URL",
            Help = "ACME directory to order from; Let's Encrypt staging: https://acme-staging-v02.api.letsencrypt.org/directory",
            Apply = (s, o, i) => o.AcmeDirectory = Uri.TryCreate(i.Value, UriKind.Absolute, out var url) && url.Scheme == "https"
                ? url.ToString()
                : throw s.Invalid(i, i.Value, "not an https:// URL of an ACME directory"),
            Show = o => o.AcmeDirectory,
        },
        new()
        {
            Key = "acmeStaging", ValueName = "BOOL", IsSwitch = true,
            Help = "order from Let's Encrypt's staging directory instead: untrusted certificates, generous rate limits, for trying a setup",
            Apply = (s, o, i) => o.AcmeDirectory = ParseBool(s, i) ? WssServerOptions.LetsEncryptStaging : o.AcmeDirectory,
            Show = o => Bool(o.AcmeDirectory == WssServerOptions.LetsEncryptStaging),
        },
        new()
        {
            Key = "acmeCa", ValueName = "PATH", Help = "PEM root to trust for the ACME server's own HTTPS (a private or test CA such as Pebble)",
            Apply = (s, o, i) => o.AcmeCa = ParsePath(i), Show = o => o.AcmeCa ?? "none (the system's roots)",
        },
        new()
        {
            Key = "sites", ValueName = "LIST", FileOnly = true, IsList = true,
            Help = "host names with their own certificates, chosen by SNI: [{\"hosts\": [...], \"cert\": ..., \"key\": ...}]",
            Apply = (_, _, _) => throw new InvalidOperationException("sites are read by the config file reader"),
            Show = o => o.Sites.Count == 0 ? "none" : string.Join("; ", o.Sites.Select(site => $"{string.Join(",", site.Hosts)} -> {site.Pfx ?? site.Cert}")),
        },
        new()
        {
            Key = "subprotocols", ValueName = "NAME", IsList = true, Help = "WebSocket subprotocol the server speaks, in order of preference; repeatable",
            Apply = (s, o, i) => o.Subprotocols = [.. i.Values.Select(value => ParseToken(s, i, value))],
            Show = o => List(o.Subprotocols, "none"),
        },
        new()
        {
            Key = "allowedOrigins", ValueName = "ORIGIN", IsList = true, Help = "origin allowed to open WebSockets (https://app.example.com); others get 403; repeatable",
            Apply = (s, o, i) => o.AllowedOrigins = [.. i.Values.Select(value => ParseOrigin(s, i, value))],
            Show = o => List(o.AllowedOrigins, "any origin"),
        },
        new()
        {
            Key = "compression", ValueName = "BOOL", IsSwitch = true,
            Help = "permessage-deflate with clients that offer it (shared compressors: no context takeover either way)",
            Apply = (s, o, i) => o.Compression = ParseBool(s, i), Show = o => Bool(o.Compression),
        },
        new()
        {
            Key = "maxMessageSize", ValueName = "SIZE", Help = "largest message accepted; a larger one closes the connection with 1009",
            Apply = (s, o, i) => o.MaxMessageSize = ParseSize(s, i, minimum: 1, maximum: 1L << 30), Show = o => Units.FormatSize(o.MaxMessageSize),
        },
        new()
        {
            Key = "maxOutgoingBuffer", ValueName = "SIZE", Help = "most data waiting to be sent to one client; a client that falls further behind is closed with 1008",
            Apply = (s, o, i) => o.MaxOutgoingBuffer = ParseSize(s, i, minimum: 1024, maximum: 1L << 30), Show = o => Units.FormatSize(o.MaxOutgoingBuffer),
        },
        new()
        {
            Key = "pingInterval", ValueName = "DURATION", Help = "how often connections are pinged to keep them alive and find dead peers (0: never)",
            Apply = (s, o, i) => o.PingInterval = ParseDuration(s, i), Show = o => Units.FormatDuration(o.PingInterval),
        },
        new()
        {
            Key = "pingTimeout", ValueName = "DURATION", Help = "how long a ping may go unanswered before the peer is dropped as dead",
            Apply = (s, o, i) => o.PingTimeout = ParseDuration(s, i), Show = o => Units.FormatDuration(o.PingTimeout),
        },
        new()
        {
            Key = "idleTimeout", ValueName = "DURATION", Help = "close a connection (1001) after this long without a message either way (0: never)",
            Apply = (s, o, i) => o.IdleTimeout = ParseDuration(s, i), Show = o => Units.FormatDuration(o.IdleTimeout),
        },
        new()
        {
            Key = "maxConnections", ValueName = "COUNT", Help = "open WebSocket connections allowed in all; more are refused with 503",
            Apply = (s, o, i) => o.MaxConnections = ParseCount(s, i, minimum: 1), Show = o => Setting.Number(o.MaxConnections),
        },
        new()
        {
            Key = "maxConnectionsPerIp", ValueName = "COUNT", Help = "open WebSocket connections allowed from one client IP; more are refused with 429 (0: no limit)",
            Apply = (s, o, i) => o.MaxConnectionsPerIp = ParseCount(s, i, minimum: 0), Show = o => Setting.Number(o.MaxConnectionsPerIp),
        },
        new()
        {
            Key = "perIpLimitExempt", ValueName = "CIDR", IsList = true,
            Help = "client networks exempt from the per-IP limit, such as a local reverse proxy; repeatable (give 'none' to exempt nobody)",
            Apply = (s, o, i) => o.PerIpLimitExempt = [.. i.Values.Where(value => value != "none").Select(value => ParseNetwork(s, i, value))],
            Show = o => List(o.PerIpLimitExempt, "none"),
        },
        new()
        {
            Key = "handshakeTimeout", ValueName = "DURATION", Help = "time allowed for the TLS handshake and then for the upgrade request (slow-loris defence)",
            Apply = (s, o, i) => o.HandshakeTimeout = ParseDuration(s, i, allowZero: false), Show = o => Units.FormatDuration(o.HandshakeTimeout),
        },
        new()
        {
            Key = "shutdownTimeout", ValueName = "DURATION", Help = "on shutdown, how long clients get to answer the close (1001) before connections are cut",
            Apply = (s, o, i) => o.ShutdownTimeout = ParseDuration(s, i), Show = o => Units.FormatDuration(o.ShutdownTimeout),
        },
        new()
        {
            Key = "tlsEngine", ValueName = "ENGINE",
            Help = "TLS implementation: openssl (OpenSSL 3 driven directly: less memory per connection, faster; Linux) or dotnet (.NET's SslStream)",
            Apply = (s, o, i) => o.TlsEngine = ParseTlsEngine(s, i), Show = o => o.TlsEngine.ToString().ToLowerInvariant(),
        },
        new()
        {
            Key = "hstsMaxAge", ValueName = "DURATION", Help = "max-age of the Strict-Transport-Security header on HTTPS responses (0: not sent)",
            Apply = (s, o, i) => o.HstsMaxAge = ParseDuration(s, i), Show = o => Units.FormatDuration(o.HstsMaxAge),
        },
        new()
        {
            Key = "logLevel", ValueName = "LEVEL", Help = "least severe log level written: trace, debug, information, warning, error, critical, none",
            Apply = (s, o, i) => o.LogLevel = ParseLogLevel(s, i), Show = o => o.LogLevel.ToString().ToLowerInvariant(),
        },
        new()
        {
            Key = "logFormat", ValueName = "FORMAT", Help = "log format: text for people, json (one object per line) for log collectors",
            Apply = (s, o, i) => o.LogFormat = ParseLogFormat(s, i), Show = o => o.LogFormat.ToString().ToLowerInvariant(),
        },
    ];

    /// <summary>The setting with this wss.json key.</summary>
    public static Setting Find(string key) => All.First(setting => setting.Key == key);

    private static string List(IList<string> values, string whenEmpty) => values.Count == 0 ? whenEmpty : string.Join(", ", values);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string ParsePath(SettingInput input) => Path.GetFullPath(input.Value, input.BaseDirectory);

    private static int ParsePort(Setting setting, SettingInput input)
        => int.TryParse(input.Value, out var port) && port is >= 0 and <= 65535
            ? port
            : throw setting.Invalid(input, input.Value, "not a port; use a number from 1 to 65535 (0 picks a free port)");

    private static int? ParseOptionalPort(Setting setting, SettingInput input)
        => input.Value is "" or "none" ? null : ParsePort(setting, input);

    private static bool ParseBool(Setting setting, SettingInput input) => input.Value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw setting.Invalid(input, input.Value, "not a switch value; use true or false"),
    };

    private static int ParseCount(Setting setting, SettingInput input, int minimum)
        => int.TryParse(input.Value, out var count) && count >= minimum
            ? count
            : throw setting.Invalid(input, input.Value, $"not a count; use a whole number of at least {minimum}");

    private static long ParseSize(Setting setting, SettingInput input, long minimum, long maximum)
    {
        if (!Units.TryParseSize(input.Value, out var bytes))
        {
            throw setting.Invalid(input, input.Value, "not a size; use a number of bytes or a unit, such as 64KiB or 1MiB");
        }
        return bytes >= minimum && bytes <= maximum
            ? bytes
            : throw setting.Invalid(input, input.Value, $"out of range; use {Units.FormatSize(minimum)} to {Units.FormatSize(maximum)}");
    }

    private static TimeSpan ParseDuration(Setting setting, SettingInput input, bool allowZero = true)
    {
        if (!Units.TryParseDuration(input.Value, out var duration))
        {
            throw setting.Invalid(input, input.Value, "not a duration; use a number with a unit: 500ms, 30s, 15m, 2h, 7d");
        }
        return allowZero || duration > TimeSpan.Zero
            ? duration
            : throw setting.Invalid(input, input.Value, "must be more than zero; use for example 10s");
    }

    private static string ParseHostName(Setting setting, SettingInput input, string value)
        => Uri.CheckHostName(value.Trim('[', ']')) != UriHostNameType.Unknown
            ? value.ToLowerInvariant()
            : throw setting.Invalid(input, value, "not a host name or IP address; use for example chat.example.com");

    // RFC 6455 §4.1: a subprotocol is an HTTP token.
    private static string ParseToken(Setting setting, SettingInput input, string value)
        => value.Length > 0 && value.All(c => c > 32 && c < 127 && !"()<>@,;:\\\"/[]?={}".Contains(c))
            ? value
            : throw setting.Invalid(input, value, "not a valid subprotocol name (letters, digits and !#$%&'*+-.^_`|~ only)");

    private static string ParseOrigin(Setting setting, SettingInput input, string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && value.Count(c => c == '/') == 2
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : throw setting.Invalid(input, value, "not an origin; use scheme://host[:port] with no path, such as https://app.example.com");

    private static string ParseNetwork(Setting setting, SettingInput input, string value)
    {
        if (IPNetwork.TryParse(value, out var network))
        {
            return network.ToString();
        }
        return IPAddress.TryParse(value, out var address)
            ? new IPNetwork(address, address.GetAddressBytes().Length * 8).ToString()
            : throw setting.Invalid(input, value, "not a network; use an address or CIDR, such as 10.0.0.0/8 or ::1");
    }

    private static LogLevel ParseLogLevel(Setting setting, SettingInput input) => input.Value.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => throw setting.Invalid(input, input.Value, "not a log level; use trace, debug, information, warning, error, critical or none"),
    };

    private static TlsEngine ParseTlsEngine(Setting setting, SettingInput input) => input.Value.ToLowerInvariant() switch
    {
        "openssl" => TlsEngine.OpenSsl,
        "dotnet" => TlsEngine.DotNet,
        _ => throw setting.Invalid(input, input.Value, "not a TLS engine; use openssl or dotnet"),
    };

    private static LogFormat ParseLogFormat(Setting setting, SettingInput input) => input.Value.ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw setting.Invalid(input, input.Value, "not a log format; use text or json"),
    };
}
