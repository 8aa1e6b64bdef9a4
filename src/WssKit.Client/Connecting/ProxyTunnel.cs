using System.Net.Sockets;
using System.Text;

namespace WssKit.Client.Connecting;

/// <summary>
/// An HTTP CONNECT tunnel through a forward proxy (with Basic credentials from the proxy URL), and the proxy to use
/// for a target: the one given, else HTTPS_PROXY (wss://) or HTTP_PROXY (ws://), else ALL_PROXY, unless NO_PROXY
/// names the host.
/// </summary>
internal static class ProxyTunnel
{
    /// <summary>The proxy for <paramref name="target"/>, or null to connect directly.</summary>
    public static Uri? For(Uri target, WssClientOptions options, Func<string, string?> environment)
    {
        if (options.Proxy is not null)
        {
            return options.Proxy;
        }
        if (!options.UseEnvironmentProxy)
        {
            return null;
        }
        var secure = target.Scheme is "wss" or "https";
        var value = secure
            ? environment("HTTPS_PROXY") ?? environment("https_proxy")
            : environment("HTTP_PROXY") ?? environment("http_proxy");
        value ??= environment("ALL_PROXY") ?? environment("all_proxy");
        if (string.IsNullOrWhiteSpace(value) || Bypassed(target.IdnHost, environment("NO_PROXY") ?? environment("no_proxy")))
        {
            return null;
        }
        if (!value.Contains("://", StringComparison.Ordinal))
        {
            value = "http://" + value;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var proxy)
            ? proxy
            : throw new WssConnectException(ConnectStage.Proxy, $"the proxy setting '{value}' is not a URL: use http://host:port");
    }

    /// <summary>Opens the tunnel on a connection to the proxy; afterwards the stream speaks to the target.</summary>
    public static async Task OpenAsync(Stream proxyStream, Uri proxy, string host, int port, CancellationToken cancellationToken)
    {
        if (proxy.Scheme != "http")
        {
            throw new WssConnectException(ConnectStage.Proxy, $"{proxy.Scheme} proxies are not supported: use an HTTP proxy (http://host:port)");
        }
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        var request = new StringBuilder($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if (proxy.UserInfo.Length > 0)
        {
            var credentials = Uri.UnescapeDataString(proxy.UserInfo);
            request.Append($"Proxy-Authorization: Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))}\r\n");
        }
        request.Append("\r\n");
        await proxyStream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);
        await proxyStream.FlushAsync(cancellationToken);

        // Byte by byte to the end of the headers: nothing of the tunnel's own traffic may be swallowed.
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (head.Count > 16 * 1024 || await proxyStream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new WssConnectException(ConnectStage.Proxy, $"the proxy {proxy.Authority} closed the connection without answering CONNECT");
            }
            head.Add(one[0]);
        }
        var statusLine = Encoding.ASCII.GetString([.. head]).Split("\r\n")[0];
        var parts = statusLine.Split(' ', 3);
        var status = parts.Length > 1 && int.TryParse(parts[1], out var code) ? code : 0;
        if (status / 100 != 2)
        {
            throw new WssConnectException(ConnectStage.Proxy, status switch
            {
                407 => $"the proxy {proxy.Authority} wants credentials (407): give them in the proxy URL, http://user:password@host:port",
                403 or 405 => $"the proxy {proxy.Authority} refuses to tunnel to {authority} ({statusLine}): its rules must allow CONNECT to this host and port",
                _ => $"the proxy {proxy.Authority} did not open a tunnel to {authority}: '{statusLine}'",
            }, statusCode: status);
        }
    }

    /// <summary>Whether NO_PROXY (a comma-separated list of hosts, .domains or *) exempts <paramref name="host"/>.</summary>
    internal static bool Bypassed(string host, string? noProxy)
    {
        foreach (var entry in (noProxy ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pattern = entry.Split(':')[0].TrimStart('*');
            if (entry == "*" || host.Equals(pattern.TrimStart('.'), StringComparison.OrdinalIgnoreCase)
                || (pattern.StartsWith('.') && host.EndsWith(pattern, StringComparison.OrdinalIgnoreCase))
                || (!pattern.StartsWith('.') && host.EndsWith("." + pattern, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Connects to the proxy itself; its failures belong to the proxy stage.</summary>
    public static async Task<Socket> ConnectToProxyAsync(Uri proxy, CancellationToken cancellationToken)
    {
        try
        {
            return await TcpConnector.ConnectAsync(proxy.IdnHost, proxy.Port, cancellationToken);
        }
        catch (WssConnectException e)
        {
            throw new WssConnectException(ConnectStage.Proxy, $"cannot reach the proxy {proxy.Authority}: {e.Message}", e);
        }
    }
}
