using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Diagnostics.Probes;

/// <summary>What a probe's TLS handshake showed: the chain exactly as served, and what was agreed.</summary>
internal sealed record TlsHandshake(SslStream Stream, X509Certificate2 Leaf, X509Certificate2Collection Served, SslPolicyErrors Errors,
    SslProtocols Protocol, TlsCipherSuite Cipher, string Alpn, TimeSpan Took);

/// <summary>
/// A connection of the check's own: TCP to the address the TCP stage chose, then TLS that accepts any certificate,
/// because the check judges the certificate itself and must still see what happens after the handshake.
/// </summary>
internal static class ProbeConnection
{
    /// <summary>A TCP connection to <paramref name="address"/>, by default the one the TCP stage chose.</summary>
    public static async Task<Socket> ConnectAsync(CheckContext check, CancellationToken cancellationToken, IPAddress? address = null)
    {
        address ??= check.Address!;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var started = Stopwatch.GetTimestamp();
            await socket.ConnectAsync(new IPEndPoint(address, check.Port), cancellationToken);
            check.ObserveConnect(Stopwatch.GetElapsedTime(started));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A TLS handshake; <paramref name="serverName"/> null sends no SNI. <paramref name="check"/>, when given, hears how
    /// long it took (wss certs probes without one).
    /// </summary>
    public static async Task<TlsHandshake> HandshakeAsync(CheckContext? check, Stream transport, string? serverName, CancellationToken cancellationToken)
    {
        X509Certificate2? leaf = null;
        var served = new X509Certificate2Collection();
        var errors = SslPolicyErrors.None;
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                // An empty target host sends no server_name extension: what a client without SNI sees.
                TargetHost = serverName ?? "",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, policyErrors) =>
                {
                    if (certificate is not null)
                    {
                        leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    }
                    // The chain's extra store holds exactly the certificates the server sent after its leaf.
                    foreach (var sent in chain?.ChainPolicy.ExtraStore ?? [])
                    {
                        if (leaf is null || sent.Thumbprint != leaf.Thumbprint)
                        {
                            served.Add(X509CertificateLoader.LoadCertificate(sent.RawData));
                        }
                    }
                    errors = policyErrors;
                    return true;
                },
            }, cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
        var took = Stopwatch.GetElapsedTime(started);
        check?.ObserveHandshake(took);
        return new TlsHandshake(tls, leaf ?? throw new AuthenticationException("the server sent no certificate"), served, errors,
            tls.SslProtocol, tls.NegotiatedCipherSuite, tls.NegotiatedApplicationProtocol.ToString(), took);
    }

    /// <summary>TCP, then TLS for wss://; the stream to speak HTTP on, with the time each step took.</summary>
    public static async Task<(Stream Stream, TimeSpan Tcp, TimeSpan Handshake)> OpenAsync(CheckContext check, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var socket = await ConnectAsync(check, cancellationToken);
        var tcp = Stopwatch.GetElapsedTime(started);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (!check.Secure)
        {
            return (stream, tcp, TimeSpan.Zero);
        }
        var handshake = await HandshakeAsync(check, stream, IPAddress.TryParse(check.Host, out _) ? null : check.Host, cancellationToken);
        return (handshake.Stream, tcp, handshake.Took);
    }
}
