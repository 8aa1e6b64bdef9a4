using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using WssKit.Certificates.Acme;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;

namespace WssKit.Server.Tls;

/// <summary>
/// Runs before the TLS handshake and looks at the first bytes without consuming them. A TLS client starts with a
/// handshake record (0x16); a plain HTTP client starts with a method name, and gets an HTTP 400 that says to use
/// https:// or wss:// instead of a handshake error it cannot read. A client that sends nothing is cut off after
/// the handshake timeout. An ACME TLS-ALPN-01 validation handshake is marked for the certificate selection.
/// </summary>
internal sealed class PlaintextOnTlsPort(ConnectionDelegate next, TimeSpan handshakeTimeout, ServerMetrics metrics, TlsAlpn01Challenges validations, ILogger logger)
{
    private const byte TlsHandshakeRecord = 0x16;

    private const string Body = "This port speaks TLS: use https:// or wss://, not http:// or ws://.\n";

    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        $"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: {Body.Length}\r\n\r\n{Body}");

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var input = context.Transport.Input;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ReadResult read;
        using (var timeout = new CancellationTokenSource(handshakeTimeout))
        {
            try
            {
                read = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                metrics.HandshakeFailed("tls", "timeout");
                return;
            }
            catch (IOException)
            {
                // Reset by the client before its first bytes were read (ConnectionResetException is an IOException).
                metrics.HandshakeFailed("tls", "client-closed");
                return;
            }
        }
        var buffer = read.Buffer;
        if (buffer.IsEmpty)
        {
            input.AdvanceTo(buffer.Start);
            return;
        }
        var first = buffer.FirstSpan[0];
        if (first != TlsHandshakeRecord && char.IsAsciiLetterUpper((char)first))
        {
            input.AdvanceTo(buffer.End);
            metrics.HandshakeFailed("tls", "plaintext-http");
            Log.PlaintextOnTlsPort(logger, context.RemoteEndPoint?.ToString() ?? "unknown");
            await context.Transport.Output.WriteAsync(Answer);
            return;
        }
        // While a CA validates a domain over TLS-ALPN-01, its handshakes (ALPN acme-tls/1) get the validation
        // certificate, which must be chosen before ALPN is negotiated: the ClientHello is read here.
        if (first == TlsHandshakeRecord && validations.Any && ClientHelloAlpn.Offers(buffer, TlsAlpn01Challenges.Protocol))
        {
            context.Features.Set(AcmeValidationHandshake.Instance);
        }
        context.Features.Set(new HandshakeStarted(started));
        // Nothing consumed, nothing examined: the TLS layer reads the same bytes again at once.
        input.AdvanceTo(buffer.Start, buffer.Start);
        await next(context);
    }
}
