using System.Text;
using WssKit.Protocol.Compression;
using WssKit.Protocol.Handshake;

namespace WssKit.Client.Connecting;

/// <summary>What the server agreed to in its 101 answer.</summary>
internal sealed record UpgradeResult(string? SubProtocol, DeflateParameters? Compression, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Leftover);

/// <summary>The client side of the opening handshake (RFC 6455 §4.1): the GET request and every check of the answer.</summary>
internal static class UpgradeHandshake
{
    private const int MaxResponseHead = 16 * 1024;

    public static async Task<UpgradeResult> RunAsync(Stream stream, Uri uri, WssClientOptions options, CancellationToken cancellationToken)
    {
        var key = HandshakeKeys.NewKey();
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

        var (status, reason, headers, leftover) = await ReadHeadAsync(stream, cancellationToken);
        if (status != 101)
        {
            var body = await ReadSomeBodyAsync(stream, leftover, headers, cancellationToken);
            throw new WssConnectException(ConnectStage.Upgrade,
                $"the server answered {status} {reason} instead of 101 Switching Protocols{(body.Length > 0 ? $": {body}" : "")}", statusCode: status);
        }
        string? Header(string name) => headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
        if (!(Header("Upgrade") ?? "").Equals("websocket", StringComparison.OrdinalIgnoreCase)
            || !(Header("Connection") ?? "").Split(',').Any(token => token.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase)))
        {
            throw new WssConnectException(ConnectStage.Upgrade, "the 101 answer lacks 'Upgrade: websocket' or 'Connection: Upgrade'", statusCode: status);
        }
        if (Header("Sec-WebSocket-Accept") != HandshakeKeys.AcceptFor(key))
        {
            throw new WssConnectException(ConnectStage.Upgrade, $"Sec-WebSocket-Accept is '{Header("Sec-WebSocket-Accept")}', not the value for our key: a proxy or server answered the upgrade wrongly", statusCode: status);
        }
        var subProtocol = Header("Sec-WebSocket-Protocol");
        if (subProtocol is not null && !options.Subprotocols.Contains(subProtocol, StringComparer.Ordinal))
        {
            throw new WssConnectException(ConnectStage.Upgrade, $"the server chose the subprotocol '{subProtocol}', which was not offered", statusCode: status);
        }
        DeflateParameters? compression = null;
        if (Header("Sec-WebSocket-Extensions") is { Length: > 0 } extensions)
        {
            compression = options.Compression ? PerMessageDeflate.ParseResponse(extensions) : null;
            if (compression is null)
            {
                throw new WssConnectException(ConnectStage.Upgrade, $"the server answered with extensions that were not offered or are malformed: {extensions}", statusCode: status);
            }
        }
        return new UpgradeResult(subProtocol, compression, headers, leftover);
    }

    private static async Task<(int Status, string Reason, List<KeyValuePair<string, string>> Headers, byte[] Leftover)> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
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
                return (status, statusLine.Length > 2 ? statusLine[2] : "", headers, buffer[(end + 4)..length]);
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
    private static async Task<string> ReadSomeBodyAsync(Stream stream, byte[] leftover, List<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var body = new List<byte>(leftover);
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
