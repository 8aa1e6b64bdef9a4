using System.Text;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Handshake;

namespace WssKit.Client.Connecting;

/// <summary>What the server agreed to in its 101 answer.</summary>
internal sealed record UpgradeResult(string? SubProtocol, DeflateParameters? Compression, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Leftover);

/// <summary>The status line and headers of an HTTP answer, and the bytes read past them.</summary>
internal sealed record ResponseHead(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Leftover)
{
    /// <summary>The first value of a header, by case-insensitive name.</summary>
    public string? Header(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
}

/// <summary>The client side of the opening handshake (RFC 6455 §4.1): the GET request and every check of the answer.</summary>
internal static class UpgradeHandshake
{
    private const int MaxResponseHead = 16 * 1024;

    public static async Task<UpgradeResult> RunAsync(Stream stream, Uri uri, WssClientOptions options, CancellationToken cancellationToken)
    {
        var key = HandshakeKeys.NewKey();
        await SendRequestAsync(stream, uri, options, key, cancellationToken);
        var head = await ReadHeadAsync(stream, cancellationToken);
        if (head.Status != 101)
        {
            var body = await ReadSomeBodyAsync(stream, head, cancellationToken);
            throw new WssConnectException(ConnectStage.Upgrade,
                $"the server answered {head.Status} {head.Reason} instead of 101 Switching Protocols{(body.Length > 0 ? $": {body}" : "")}", statusCode: head.Status);
        }
        return Accept(head, key, options);
    }

    /// <summary>Sends the GET request that asks for the upgrade, with <paramref name="key"/> as Sec-WebSocket-Key.</summary>
    public static async Task SendRequestAsync(Stream stream, Uri uri, WssClientOptions options, string key, CancellationToken cancellationToken)
    {
        var request = new StringBuilder()
            .Append($"GET {uri.PathAndQuery} HTTP/1.1\r\n")
            .Append($"Host: {uri.Authority}\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append($"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n");
        if (options.Subprotocols.Count > 0)
        {
            request.Append($"Sec-WebSocket-Protocol: {string.Join(", ", options.Subprotocols)}\r\n");
        }
        if (options.Compression)
        {
            request.Append($"Sec-WebSocket-Extensions: {PerMessageDeflate.ClientOffer}\r\n");
        }
        if (options.Origin is not null)
        {
            request.Append($"Origin: {options.Origin}\r\n");
        }
        foreach (var (name, value) in options.Headers)
        {
            request.Append($"{name}: {value}\r\n");
        }
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Checks a 101 answer against the request (RFC 6455 §4.1): headers, accept value, subprotocol, extensions.</summary>
    public static UpgradeResult Accept(ResponseHead head, string key, WssClientOptions options)
    {
        if (!(head.Header("Upgrade") ?? "").Equals("websocket", StringComparison.OrdinalIgnoreCase)
            || !(head.Header("Connection") ?? "").Split(',').Any(token => token.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase)))
        {
            throw new WssConnectException(ConnectStage.Upgrade, "the 101 answer lacks 'Upgrade: websocket' or 'Connection: Upgrade'", statusCode: head.Status);
        }
        if (head.Header("Sec-WebSocket-Accept") != HandshakeKeys.AcceptFor(key))
        {
            throw new WssConnectException(ConnectStage.Upgrade, $"Sec-WebSocket-Accept is '{head.Header("Sec-WebSocket-Accept")}', not the value for our key: a proxy or server answered the upgrade wrongly", statusCode: head.Status);
        }
        var subProtocol = head.Header("Sec-WebSocket-Protocol");
        if (subProtocol is not null && !options.Subprotocols.Contains(subProtocol, StringComparer.Ordinal))
        {
            throw new WssConnectException(ConnectStage.Upgrade, $"the server chose the subprotocol '{subProtocol}', which was not offered", statusCode: head.Status);
        }
        DeflateParameters? compression = null;
        if (head.Header("Sec-WebSocket-Extensions") is { Length: > 0 } extensions)
        {
            compression = options.Compression ? PerMessageDeflate.ParseResponse(extensions) : null;
            if (compression is null)
            {
                throw new WssConnectException(ConnectStage.Upgrade, $"the server answered with extensions that were not offered or are malformed: {extensions}", statusCode: head.Status);
            }
        }
        return new UpgradeResult(subProtocol, compression, head.Headers, head.Leftover);
    }

    /// <summary>Reads the status line and headers of the answer; what follows them stays in <see cref="ResponseHead.Leftover"/>.</summary>
    public static async Task<ResponseHead> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxResponseHead];
        var length = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
                var statusLine = lines[0].Split(' ', 3);
                if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(statusLine[1], out var status))
                {
                    throw new WssConnectException(ConnectStage.Upgrade, $"the answer is not HTTP: '{lines[0]}'");
                }
                var headers = lines.Skip(1).Select(line => line.Split(':', 2)).Where(parts => parts.Length == 2)
                    .Select(parts => KeyValuePair.Create(parts[0].Trim(), parts[1].Trim())).ToList();
                return new ResponseHead(status, statusLine.Length > 2 ? statusLine[2] : "", headers, buffer[(end + 4)..length]);
            }
            if (length == buffer.Length)
            {
                throw new WssConnectException(ConnectStage.Upgrade, $"the answer's headers are longer than {MaxResponseHead} bytes");
            }
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                throw new WssConnectException(ConnectStage.Upgrade, length == 0
                    ? "the server closed the connection without answering the upgrade request"
                    : "the server closed the connection in the middle of its answer");
            }
            length += read;
        }
    }

    /// <summary>The first line of a refusal's body (the reason servers usually give), read briefly.</summary>
    public static async Task<string> ReadSomeBodyAsync(Stream stream, ResponseHead head, CancellationToken cancellationToken)
    {
        var headers = head.Headers;
        var body = new List<byte>(head.Leftover);
        var declared = headers.Where(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.TryParse(h.Value, out var n) ? n : 0).FirstOrDefault();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        var chunk = new byte[1024];
        try
        {
            var chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
            while (body.Count < (chunked ? 4096 : Math.Min(declared, 4096)) && !(chunked && Encoding.ASCII.GetString([.. body]).Contains("\r\n0\r\n", StringComparison.Ordinal)))
            {
                var read = await stream.ReadAsync(chunk, limit.Token);
                if (read == 0)
                {
                    break;
                }
                body.AddRange(chunk.AsSpan(0, read).ToArray());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Whatever arrived is enough to explain the refusal.
        }
        var text = Encoding.UTF8.GetString([.. body]);
        if (headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            // "6d\r\n<109 bytes>\r\n0\r\n\r\n": the first chunk is what the server said.
            var lines = text.Split("\r\n");
            text = lines.Length > 1 ? lines[1] : "";
        }
        return text.Split('\n')[0].Trim();
    }
}
