using System.Text;
using System.Text.Json;
using Spectre.Console;
using WssKit.Client;

namespace WssKit.Cli.Connect;

/// <summary>Where a connect session reports what happens: plain lines for people and pipes, or JSON events.</summary>
internal interface ISessionOutput
{
    void Opened(Uri url, WssClient client, bool showHandshake);

    /// <summary>A message, in pipe mode (interactive mode prints its own "&lt; " lines).</summary>
    void Message(WssMessage message);

    void Pong(TimeSpan roundTrip);

    void Closed(int code, string? reason);

    void Failed(string stage, string message);
}

/// <summary>
/// Plain output: each message's bytes, then a newline, on standard output (text and binary alike, so a pipe gets
/// exactly what was sent); everything else (open, close, errors) on standard error, so it never mixes with the data.
/// </summary>
internal sealed class PlainOutput(CliConsole console) : ISessionOutput
{
    private static readonly byte[] NewLine = [(byte)'\n'];

    public void Opened(Uri url, WssClient client, bool showHandshake)
    {
        console.Error.MarkupLineInterpolated($"[green]connected[/] to {url}{Describe(client)}");
        if (showHandshake)
        {
            Handshake.Write(console.Error, client);
        }
    }

    public void Message(WssMessage message)
    {
        lock (console.RawOut)
        {
            console.RawOut.Write(message.Data.Span);
            console.RawOut.Write(NewLine);
            console.RawOut.Flush();
        }
    }

    public void Pong(TimeSpan roundTrip) => console.Error.MarkupLineInterpolated($"pong in {roundTrip.TotalMilliseconds:0.0} ms");

    public void Closed(int code, string? reason)
        => console.Error.MarkupLineInterpolated($"[grey]closed {code}{(string.IsNullOrEmpty(reason) ? "" : " " + reason)}[/]");

    public void Failed(string stage, string message) => console.Fail(message);

    internal static string Describe(WssClient client)
    {
        var details = new List<string>();
        if (client.SubProtocol is not null)
        {
            details.Add($"subprotocol {client.SubProtocol}");
        }
        if (client.Compression is not null)
        {
            details.Add("permessage-deflate");
        }
        if (client.Tls is { } tls)
        {
            details.Add($"{tls.Protocol}, {tls.CipherSuite}");
        }
        return details.Count == 0 ? "" : $" ({string.Join(", ", details)})";
    }
}

/// <summary>One JSON object per line on standard output: open, message, ping, close, error.</summary>
internal sealed class JsonLinesOutput(CliConsole console) : ISessionOutput
{
    public void Opened(Uri url, WssClient client, bool showHandshake) => Write(new
    {
        @event = "open",
        url = url.ToString(),
        subprotocol = client.SubProtocol,
        extensions = client.Compression?.ToHeader(),
        tls = client.Tls is { } tls ? new { protocol = tls.Protocol, cipher = tls.CipherSuite, subject = tls.Certificate?.Subject } : null,
        headers = showHandshake ? client.ResponseHeaders.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase) : null,
    });

    public void Message(WssMessage message) => Write(message.Kind == WssMessageKind.Text
        ? new { @event = "message", type = "text", data = (string?)message.Text, base64 = (string?)null }
        : new { @event = "message", type = "binary", data = (string?)null, base64 = (string?)Convert.ToBase64String(message.Data.Span) });

    public void Pong(TimeSpan roundTrip) => Write(new { @event = "ping", rtt_ms = Math.Round(roundTrip.TotalMilliseconds, 3) });

    public void Closed(int code, string? reason) => Write(new { @event = "close", code, reason });

    public void Failed(string stage, string message) => Write(new { @event = "error", stage, message });

    private void Write(object value)
    {
        var line = JsonSerializer.Serialize(value, Options) + "\n";
        lock (console.RawOut)
        {
            console.RawOut.Write(Encoding.UTF8.GetBytes(line));
            console.RawOut.Flush();
        }
    }

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>The server's handshake answer and TLS details, for --show-handshake.</summary>
internal static class Handshake
{
    public static void Write(IAnsiConsole console, WssClient client)
    {
        console.MarkupLine("[grey]HTTP/1.1 101 Switching Protocols[/]");
        foreach (var (name, value) in client.ResponseHeaders)
        {
            console.MarkupLineInterpolated($"[grey]{name}: {value}[/]");
        }
        if (client.Tls is { Certificate: { } certificate } tls)
        {
            console.MarkupLineInterpolated($"[grey]TLS {tls.Protocol} {tls.CipherSuite}; certificate {certificate.Subject}, issued by {certificate.Issuer}, expires {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}[/]");
        }
    }
}
