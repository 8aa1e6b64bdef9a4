using System.Buffers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using WssKit.Certificates.Acme;
using WssKit.Server.Logging;
using WssKit.Server.Metrics;
using WssKit.Server.Transport;

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

    // Enough for a whole ClientHello, in which the ALPN list of a validation handshake is looked for.
    private const int HelloSize = 4096;

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        // Two methods: this one runs as long as the connection, and keeps only what it needs for that.
        if (await FirstBytesSayTlsAsync(context))
        {
            await next(context);
        }
    }

    /// <summary>Whether the connection goes on to the TLS handshake; answers or drops it when not.</summary>
    private async Task<bool> FirstBytesSayTlsAsync(ConnectionContext context)
    {
        var socket = context.Features.GetRequiredFeature<DirectSocketConnection>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        byte[]? hello = null;
        int peeked;
        bool lookForAlpn;
        using (var timeout = new CancellationTokenSource(handshakeTimeout))
        {
            try
            {
                await socket.WaitForDataAsync(timeout.Token);
                // Decided once: a validation may start meanwhile, and the peek must fit the rented array.
                lookForAlpn = validations.Any;
                var size = lookForAlpn ? HelloSize : 1;
                hello = ArrayPool<byte>.Shared.Rent(size);
                peeked = socket.Peek(hello.AsSpan(0, size));
            }
            catch (OperationCanceledException)
            {
                metrics.HandshakeFailed("tls", "timeout");
                return false;
            }
            catch (SocketException)
            {
                // Reset by the client before its first bytes were read.
                metrics.HandshakeFailed("tls", "client-closed");
                ReturnHello(hello);
                return false;
            }
        }
        try
        {
            if (peeked == 0)
            {
                return false;
            }
            var first = hello![0];
            if (first != TlsHandshakeRecord && char.IsAsciiLetterUpper((char)first))
            {
                metrics.HandshakeFailed("tls", "plaintext-http");
                Log.PlaintextOnTlsPort(logger, context.RemoteEndPoint?.ToString() ?? "unknown");
                // The request is read and dropped: closing with it unread would send a reset, which can destroy the answer.
                var input = context.Transport.Input;
                input.AdvanceTo((await input.ReadAsync()).Buffer.End);
                await context.Transport.Output.WriteAsync(Answer);
                return false;
            }
            // While a CA validates a domain over TLS-ALPN-01, its handshakes (ALPN acme-tls/1) get the validation
            // certificate, which must be chosen before ALPN is negotiated: the ClientHello is read here.
            if (first == TlsHandshakeRecord && lookForAlpn && ClientHelloAlpn.Offers(new ReadOnlySequence<byte>(hello, 0, peeked), TlsAlpn01Challenges.Protocol))
            {
                context.Features.Set(AcmeValidationHandshake.Instance);
            }
        }
        finally
        {
            ReturnHello(hello);
        }
        context.Features.Set(new HandshakeStarted(started));
        // Nothing consumed: the TLS layer reads the same bytes.
        return true;
    }

    private static void ReturnHello(byte[]? hello)
    {
        if (hello is not null)
        {
            ArrayPool<byte>.Shared.Return(hello);
        }
    }
}
