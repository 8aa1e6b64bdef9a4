using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WssKit.Diagnostics.Certs;

/// <summary>An endpoint whose certificate wss certs tracks: a host name or address and a TCP port.</summary>
/// <param name="Host">A DNS name or an IP address (IPv6 without brackets).</param>
/// <param name="Port">The TLS port.</param>
public sealed record CertTarget(string Host, int Port)
{
    /// <summary>The port when none is given: HTTPS and wss://.</summary>
    public const int DefaultPort = 443;

    /// <summary>host:port, with IPv6 addresses in brackets: [::1]:443.</summary>
    public override string ToString() => (IsIPv6 ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    private bool IsIPv6 => IPAddress.TryParse(Host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>
    /// Reads HOST, HOST:PORT, [IPv6]:PORT, a bare IPv6 address, or a wss:// or https:// URL (its host and port).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these; the message names the problem and the fix.</exception>
    public static CertTarget Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw Bad(text, "it is empty");
        }
        if (trimmed.Contains("://", StringComparison.Ordinal))
        {
            return FromUrl(text, trimmed);
        }
        string host;
        string? port = null;
        if (trimmed.StartsWith('['))
        {
            var close = trimmed.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Bad(text, "the '[' of an IPv6 address is not closed");
            }
            host = trimmed[1..close];
            var rest = trimmed[(close + 1)..];
            if (rest.Length > 0)
            {
                port = rest.StartsWith(':') ? rest[1..] : throw Bad(text, $"'{rest}' after the address is not ':PORT'");
            }
            if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw Bad(text, $"'{host}' in brackets is not an IPv6 address");
            }
        }
        else if (trimmed.Count(c => c == ':') > 1)
        {
            // More than one colon and no brackets: only a bare IPv6 address makes sense, on the default port.
            host = IPAddress.TryParse(trimmed, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
                ? trimmed
                : throw Bad(text, "an IPv6 address with a port goes in brackets, [2001:db8::1]:443");
        }
        else
        {
            var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? trimmed : trimmed[..colon];
            port = colon < 0 ? null : trimmed[(colon + 1)..];
        }
        return new CertTarget(CheckHost(text, host), port is null ? DefaultPort : CheckPort(text, port));
    }

    private static CertTarget FromUrl(string text, string trimmed)
    {
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var url))
        {
            throw Bad(text, "it is not a valid URL");
        }
        if (url.Scheme is not ("wss" or "https"))
        {
            throw Bad(text, url.Scheme is "ws" or "http"
                ? $"{url.Scheme}:// has no TLS, so no certificate"
                : $"{url.Scheme}:// is not a TLS URL scheme wss certs knows (use wss:// or https://)");
        }
        var host = url.IdnHost.Trim('[', ']');
        return new CertTarget(CheckHost(text, host), url.Port);
    }

    private static string CheckHost(string text, string host)
    {
        if (host.Length == 0)
        {
            throw Bad(text, "the host is missing");
        }
        if (IPAddress.TryParse(host, out _) && (host.Contains(':', StringComparison.Ordinal) || host.Count(c => c == '.') == 3))
        {
            return host;
        }
        // Names are matched against certificates in their ASCII (punycode) form, as clients send them in SNI.
        string ascii;
        try
        {
            ascii = new IdnMapping().GetAscii(host.TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            throw Bad(text, $"'{host}' is not a valid host name");
        }
        return Uri.CheckHostName(ascii) == UriHostNameType.Dns ? ascii : throw Bad(text, $"'{host}' is not a valid host name");
    }

    private static int CheckPort(string text, string port)
        => int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535
            ? number
            : throw Bad(text, $"the port '{port}' is not a number from 1 to 65535");

    private static FormatException Bad(string text, string problem)
        => new($"'{text}' is not a target: {problem}; give HOST, HOST:PORT, [IPv6]:PORT or a wss:// or https:// URL");
}
