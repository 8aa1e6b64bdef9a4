using System.Globalization;
using System.Net;

namespace WssKit.Server.Configuration;

/// <summary>An address to listen on: host:port, [v6]:port, or :port for every address.</summary>
/// <param name="Host">An IP address, "localhost", or null for every address.</param>
/// <param name="Port">The port; 0 picks a free one.</param>
public sealed record ListenAddress(string? Host, int Port)
{
    /// <summary>Whether only this machine can connect (loopback addresses or localhost).</summary>
    public bool IsLoopback => Host == "localhost" || (Host is not null && IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Parses host:port; the error names the setting.</summary>
    public static ListenAddress Parse(string text, Setting setting, SettingInput input)
        => TryParse(text, out var address)
            ? address
            : throw setting.Invalid(input, text, "not an address; use host:port, such as 0.0.0.0:443, [::]:443, :443 (every address) or localhost:8443");

    /// <summary>Parses host:port, [v6]:port or :port.</summary>
    public static bool TryParse(string text, out ListenAddress address)
    {
        address = null!;
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }
        var host = text[..colon];
        if (host is "" or "*")
        {
            address = new ListenAddress(null, port);
            return true;
        }
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (!host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && (!IPAddress.TryParse(host, out var v4) || v4.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            return false;
        }
        address = new ListenAddress(host.ToLowerInvariant(), port);
        return true;
    }

    /// <summary>host:port, with IPv6 addresses in brackets and ":port" for every address.</summary>
    public override string ToString() => Host switch
    {
        null => $":{Port}",
        _ when Host.Contains(':', StringComparison.Ordinal) => $"[{Host}]:{Port}",
        _ => $"{Host}:{Port}",
    };
}
