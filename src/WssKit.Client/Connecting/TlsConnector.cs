using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace WssKit.Client.Connecting;

/// <summary>
/// The TLS handshake with a certificate check that says precisely why a certificate is refused: expired, not yet
/// valid, issued by an untrusted root, for other names, or sent without its intermediate.
/// </summary>
internal static class TlsConnector
{
    public const string ClientCertificateMissing = "the server asked for a client certificate and hung up without one: it requires mutual TLS (give a client certificate: ClientCertificate; wss connect --cert and --key)";

    /// <summary>
    /// The TLS handshake; also says whether the server asked for a client certificate, because a server that requires
    /// one and gets none hangs up only after the handshake (TLS 1.3), and the failure must be explained then.
    /// </summary>
    public static async Task<(SslStream Tls, bool ClientCertificateRequested)> AuthenticateAsync(Stream transport, string serverName, WssClientOptions options, CancellationToken cancellationToken)
    {
        var requested = false;
        var extraRoots = options.TrustedCaFile is null ? null : LoadRoots(options.TrustedCaFile);
        string? refusal = null;
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateContext = options.ClientCertificate is null
                    ? null
                    : SslStreamCertificateContext.Create(options.ClientCertificate, options.ClientCertificateIntermediates, offline: true),
                LocalCertificateSelectionCallback = options.ClientCertificate is null
                    ? (_, _, _, remote, _) =>
                    {
                        // Also called before the handshake starts (remote null); only a call with the server's
                        // certificate in hand is the server's CertificateRequest.
                        requested |= remote is not null;
                        return null!;
                    }
                    : null,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    if (options.DangerousAcceptAnyServerCertificate)
                    {
                        return true;
                    }
                    refusal = CertificateCheck.Refusal(certificate as X509Certificate2, chain, errors, serverName, extraRoots);
                    return refusal is null;
                },
            }, cancellationToken);
            return (tls, requested);
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync();
            throw new WssConnectException(ConnectStage.Tls,
                refusal ?? (requested && options.ClientCertificate is null ? ClientCertificateMissing : Failed(e)), e);
        }
        catch (IOException e)
        {
            await tls.DisposeAsync();
            throw new WssConnectException(ConnectStage.Tls, $"the connection closed during the TLS handshake ({Innermost(e)}): is this a TLS port? (ws:// instead of wss://?)", e);
        }
    }

    private static string Failed(AuthenticationException e)
    {
        var reason = Innermost(e);
        // What SslStream says when the answer to its ClientHello is not TLS at all (an HTTP error page, usually).
        return reason.Contains("frame size", StringComparison.Ordinal) || reason.Contains("corrupted frame", StringComparison.Ordinal)
            ? $"the server did not answer in TLS ({reason}): is this a plain HTTP port? (ws:// instead of wss://, or another port)"
            : $"the TLS handshake failed ({reason})";
    }

    private static X509Certificate2Collection LoadRoots(string path)
    {
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(path);
            return roots.Count > 0 ? roots : throw new WssConnectException(ConnectStage.Tls, $"{path} holds no PEM certificate");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new WssConnectException(ConnectStage.Tls, $"cannot read the CA file {path}: {e.Message.TrimEnd('.')}", e);
        }
    }

    private static string Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }
        return exception.Message.TrimEnd('.');
    }
}
